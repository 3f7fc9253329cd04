"""The benchmark generator at tiny sizes (no benchmark runs here: no timings are taken),
and the fast paths' promise that nothing users see changes: the plain-scalar fast path,
the cheaper path display and the skipped pydantic plugin discovery."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.generate import generate
from dpi_safeguards import api
from dpi_safeguards.changes.diff import diff_frameworks
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.store import yaml_text
from tests.support.paths import REPO


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "data"
    generate(out, practices=120, proposals=60, seed=3)
    return out


def test_same_seed_gives_the_same_bytes(generated: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", practices=120, proposals=60, seed=3)
    assert _tree(tmp_path / "again") == _tree(generated)
    generate(tmp_path / "other", practices=120, proposals=60, seed=4)
    assert _tree(tmp_path / "other") != _tree(generated)


def test_generated_frameworks_validate(generated: Path) -> None:
    for version in ("v1", "v2"):
        root = generated / version
        report = api.validate(Workspace(root), [root / "framework"])
        assert report.findings == [], report.findings[:3]
    framework = load_framework(generated / "v1" / "framework").framework
    assert len(framework.practices) == 120
    assert {p.split(".")[0] for p in framework.processes} == set(framework.principles)
    assert len(framework.principles) == 18
    for practice in framework.practices.values():
        assert 15 <= len(practice.text.split()) <= 40


def test_proposals_give_the_planted_findings(generated: Path) -> None:
    truth = json.loads((generated / "truth.json").read_text(encoding="utf-8"))
    root = generated / "v1"
    report = api.validate(Workspace(root), [root / "contributions" / "proposed"])
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        found.setdefault(Path(finding.file or "").name, set()).add(finding.code)
    for name, expected in truth["expected"].items():
        assert found.get(name, set()) == set(expected), name
    assert truth["near_duplicates"], "some near-duplicates are planted"


def test_second_version_differs_as_recorded(generated: Path) -> None:
    truth = json.loads((generated / "truth.json").read_text(encoding="utf-8"))["v2"]
    old = load_framework(generated / "v1" / "framework").framework
    new = load_framework(generated / "v2" / "framework").framework
    changes = diff_frameworks(old, new)
    by_type: dict[str, set[str]] = {}
    for change in changes.changes:
        by_type.setdefault(change.change, set()).add(change.id)
    assert by_type.get("added", set()) == set(truth["added"])
    assert by_type.get("deprecated", set()) == set(truth["deprecated"])
    assert by_type.get("changed", set()) == set(truth["edited"])


# ---- fast paths that must change nothing ---------------------------------------------------


@given(
    st.one_of(
        st.text(alphabet="~nNoOyYtTfFrueals.+-0123456789:_xbeEiIaA", max_size=8),
        st.text(max_size=12),
    )
)
def test_plain_scalar_fast_path_agrees(value: str) -> None:
    """A value the fast path calls a string is one every pattern leaves a string."""
    if yaml_text._certainly_string(value):
        assert yaml_text._resolve_plain_patterns(value, (1, 1), "f") == value


def test_display_matches_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / "contributions" / "proposed").mkdir(parents=True)
    outside = tmp_path / "outside.yaml"
    outside.write_text("x: 1\n", encoding="utf-8")
    inside = root / "contributions" / "proposed" / "a.yaml"
    inside.write_text("x: 1\n", encoding="utf-8")
    link = root / "contributions" / "proposed" / "link.yaml"
    link.symlink_to(outside)
    workspace = Workspace(root)
    monkeypatch.chdir(root)
    for path in (
        inside,
        Path("contributions/proposed/a.yaml"),
        Path("contributions/proposed/link.yaml"),
        Path("contributions/proposed/../proposed/a.yaml"),
        outside,
        Path("missing/file.yaml"),
    ):
        try:
            expected = str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            expected = str(path)
        assert workspace.display(path) == expected, path
    assert workspace.display(link) == str(link)


_PLUGIN_PROBE = """
import sys
sys.argv = ["safeguards", "--root", sys.argv[1], "validate", sys.argv[2]]
from dpi_safeguards.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
loader = sys.modules.get("pydantic.plugin._loader")
print(code, getattr(loader, "_plugins", None) is not None)
"""


@pytest.mark.parametrize(("setting", "expected"), [(None, "0 False"), ("", "0 True")])
def test_the_cli_skips_pydantic_plugin_discovery_unless_asked(
    setting: str | None, expected: str
) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if setting is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = setting  # empty: let pydantic look for plugins
    example = REPO / "contributions" / "examples" / "add-practice.yaml"
    done = subprocess.run(
        [sys.executable, "-c", _PLUGIN_PROBE, str(REPO), str(example)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.stdout.splitlines()[-1] == expected, done.stderr


def test_yaml_parser_comparison_runs_and_states_the_safe_readers_refusals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import yaml_parsers
    from tests.support.paths import FIXTURES

    assert yaml_parsers.main([str(FIXTURES / "mini" / "framework")]) == 0
    out = capsys.readouterr().out
    assert "| safe reader (libyaml events) |" in out
    rows = [line for line in out.splitlines() if line.startswith("| duplicate key |")]
    assert rows and rows[0].split(" | ")[1] == "refuses"  # the safe reader's own column
    assert all(
        line.split(" | ")[1] == "refuses"
        for line in out.splitlines()
        if line.startswith("| ") and any(line.startswith(f"| {k} |") for k in yaml_parsers.HOSTILE)
    )


def test_every_command_the_startup_table_times_runs_cleanly(tmp_path: Path) -> None:
    """The start-up table (benchmarks/startup.py) would time failures otherwise."""
    from benchmarks import startup
    from tests.support.cli import run_cli

    for name, args in startup.commands(tmp_path).items():
        result = run_cli(*args)
        assert result.code == 0, (name, result.output)


def test_every_command_the_cold_table_times_runs_on_a_generated_framework(
    generated: Path, tmp_path: Path
) -> None:
    """benchmarks/commands.py times these on generated frameworks: each must do its work
    there (exit 0, or 1 for the findings the generator plants), never fail on usage."""
    from benchmarks import commands
    from tests.support.cli import run_cli

    root = generated / "v1"
    assert (root / "framework" / "snapshot.json").is_file()  # written with the YAML
    listed = commands.commands(tmp_path, commands.GENERATED_PROPOSAL, history=False)
    for name, args in listed.items():
        result = run_cli(*args, cwd=root)
        assert result.code in (0, 1), (name, result.output)
        assert "Traceback" not in result.output, (name, result.output)
