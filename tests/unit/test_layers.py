"""The package's architecture, checked: floors, no import circle, imports at module top.

A module may import from its own floor or from a lower one, never from a higher one; the
modules form no import circle; and an import inside a function is allowed only in the
two places where start-up time justifies it (the facade and the CLI, see their module
docstrings) or on a line that says why with a ``# lazy:`` comment.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline" / "dpi_safeguards"
# Lowest first. The package root (`__init__`: the version) is below every floor.
FLOORS = (
    "core",
    "models",
    "store",
    "load",
    "check",
    "translations",
    "changes",
    "review",
    "merge",
    "knowledge",
    "exports",
    "release",
    "distribution",
    "country",
    "forge",
    "api",
    "cli",
    "__main__",
)
LAZY_ALLOWED = ("api", "cli")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (or package)
    line: int
    top: bool  # at module level (TYPE_CHECKING blocks count as module level)
    reason: bool  # the line carries a `# lazy:` comment


def module_name(path: Path) -> str:
    parts = ["dpi_safeguards", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str], source: str | None = None) -> Iterator[Import]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    top_nodes = set()
    for statement in tree.body:
        top_nodes.add(statement)
        if isinstance(statement, ast.If):
            top_nodes.update(statement.body)
    source = source or module_name(path)
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                targets.append(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "dpi_safeguards" or node not in top_nodes:
                yield Import(
                    source,
                    target,
                    node.lineno,
                    node in top_nodes,
                    "# lazy:" in lines[node.lineno - 1],
                )


def floor(module: str) -> int:
    parts = module.split(".")
    return -1 if len(parts) == 1 else FLOORS.index(parts[1])


def all_imports() -> list[Import]:
    found = modules()
    return [i for p in found.values() for i in imports_of(p, set(found))]


def test_every_module_is_on_a_floor() -> None:
    for name in modules():
        parts = name.split(".")
        assert len(parts) == 1 or parts[1] in FLOORS, f"{name} is on no floor of {FLOORS}"


def test_no_import_runs_up_a_floor() -> None:
    upward = [
        f"{i.source} (floor {FLOORS[floor(i.source)]}) imports {i.target} "
        f"(floor {FLOORS[floor(i.target)]}), line {i.line}"
        for i in all_imports()
        if i.target.startswith("dpi_safeguards") and floor(i.target) > floor(i.source)
    ]
    assert upward == []


def test_no_import_circle() -> None:
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for i in all_imports():
        if i.target in known and i.target != i.source:
            edges[i.source].add(i.target)
    circles = strongly_connected(edges)
    assert circles == []


def test_imports_sit_at_module_top() -> None:
    lazy = [
        f"{i.source}:{i.line} imports {i.target} inside a function"
        for i in all_imports()
        if not i.top and not i.reason and i.source.split(".")[1] not in LAZY_ALLOWED
    ]
    assert lazy == []


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: every group of two or more modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_circle_finder_finds_circles(
    edges: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert strongly_connected(edges) == expected


def test_the_floor_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dpi_safeguards.api import load\n")
    found = list(imports_of(module, set(), "dpi_safeguards.core.m"))
    assert [(i.target, i.top) for i in found] == [("dpi_safeguards.api", False)]
    assert floor(found[0].target) > floor(found[0].source)


# What a command may take from outside the facade: how to print (renderers, writers) and
# what to catch; never the work itself.
COMMAND_HELPERS = {
    "render",  # knowledge.formats: a canvas result as text, md, csv, json, html
    "atomic_write",  # store.writer: writing -o FILE
    "dump_json",  # store.writer: --format json
    "IntakeError",  # forge.intake: the problems shown to the contributor
    "Problem",
    "NothingToRelease",  # release.bump: a dry run of an unchanged framework is exit 0
    # country.progress and country.render: a country command's result as text or JSON
    "render_status_text",
    "render_rebase_text",
    "render_rebase_json",
    "render_proposal",
    # translations.render: the status and update reports as text, Markdown or JSON
    "render_update_text",
    "render_status_json",
    "render_status_markdown",
}


def test_every_command_goes_through_the_facade() -> None:
    bypass = []
    for name, path in modules().items():
        if not name.startswith("dpi_safeguards.cli."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            module = node.module
            if not module.startswith("dpi_safeguards.") or module.split(".")[1] in (
                "api",
                "cli",
                "core",
            ):
                continue
            for alias in node.names:
                if not (alias.name.isupper() or alias.name in COMMAND_HELPERS):
                    bypass.append(f"{name}:{node.lineno} uses {module}.{alias.name}")
    assert bypass == []


# Reading a pickle (or marshal data) runs whatever code it names: it has no place here.
# The garbage collector is the program's to tune, not a library's: only the entry point
# (dpi_safeguards.cli.main) sets its thresholds.
FORBIDDEN_MODULES = ("pickle", "marshal", "shelve", "gc")
GC_TUNED_IN = "dpi_safeguards.cli.main"


def test_no_module_imports_pickle_or_tunes_the_garbage_collector() -> None:
    found = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            else:
                continue
            found += [
                f"{name}:{node.lineno} imports {t}"
                for t in targets
                if t in FORBIDDEN_MODULES and not (t == "gc" and name == GC_TUNED_IN)
            ]
    assert found == []
