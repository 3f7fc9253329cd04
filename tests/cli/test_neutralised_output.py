"""Neutralised output: a framework full of hostile text (tests/support/hostile_text.py)
released, and run through every canvas format, `diff --format md`, `validate --format github`
and `intake --format github`. Nothing written may attack whoever opens it:

- no CSV cell (read back with the csv module) starts with a formula trigger;
- no HTML (parsed with html.parser) holds a script other than the page's own, an event
  handler attribute or a javascript: URL; the Markdown files, rendered with mistune, neither;
- Markdown tables re-parse (mistune, table plugin) to the rows and columns of the data;
- nothing meant for a job summary or log can mention someone or start a workflow command.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import mistune
import pytest

from dpi_safeguards.core.text import FORMULA_START
from tests.support.cli import run_cli
from tests.support.hostile_text import (
    DATE,
    HOSTILE_NAMES,
    HOSTILE_TEXTS,
    REFERENCE_TITLE,
    hostile_root,
)
from tests.support.paths import CASES

MENTION = re.compile(r"(?<![\w`\\])@[A-Za-z0-9]")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_root(tmp_path_factory.mktemp("neutral"))
    check = run_cli("--root", root, "validate", "--strict")
    assert check.code == 0, check.output
    result = run_cli("--root", root, "release", "--date", DATE, env={"CI": "true"})
    assert result.code == 0, result.output
    return root


def canvas(root: Path, fmt: str) -> str:
    result = run_cli("--root", root, "canvas", "--format", fmt)
    assert result.code == 0, result.output
    return result.stdout


# ---- CSV ----------------------------------------------------------------------------------


def check_csv(text: str, where: str) -> int:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    width = len(rows[0])
    for row in rows:
        assert len(row) == width, (where, row)
        for cell in row:
            assert not cell.startswith(FORMULA_START), (where, cell)
    return len(rows)


def test_no_csv_cell_starts_with_a_formula_trigger(released: Path) -> None:
    bundle = released / "releases" / "v1.0.0"
    files = sorted(bundle.glob("*.csv"))
    assert len(files) >= 8
    for path in files:
        check_csv(path.read_bytes().decode("utf-8"), path.name)
    text = canvas(released, "csv")
    assert check_csv(text, "canvas --format csv") > 1
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'-1+1" in text


@pytest.mark.parametrize("value", ["\tTab", "\rCR", "=1", "+1", "-1", "@x"])
def test_csv_cell_rule_covers_tab_and_cr(value: str) -> None:
    """Tab- and CR-leading texts cannot reach a release (IDX007), but the cell rule of
    both CSV writers covers them anyway."""
    from dpi_safeguards.core.text import csv_cell

    assert csv_cell(value) == "'" + value


def test_canvas_text_and_json_keep_the_text_as_data(released: Path) -> None:
    import json

    data = json.loads(canvas(released, "json"))
    dumped = json.dumps(data, ensure_ascii=False)
    text = canvas(released, "text")
    for hostile in HOSTILE_TEXTS:
        first_line = hostile.split("\n")[0]
        assert json.dumps(first_line, ensure_ascii=False)[1:-1] in dumped, hostile
        assert first_line.split(" ")[0] in text, hostile


# ---- HTML ---------------------------------------------------------------------------------


class Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[tuple[str, str]] = []
        self.js_urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            compact = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if "javascript:" in compact or "vbscript:" in compact:
                self.js_urls.append((tag, name, value or ""))


def inspect_html(text: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(text)
    inspector.close()
    assert inspector.handlers == [], inspector.handlers
    assert inspector.js_urls == [], inspector.js_urls
    assert "img" not in inspector.tags
    return inspector


def test_html_has_only_its_own_scripts(released: Path) -> None:
    page = (released / "releases" / "v1.0.0" / "site" / "index.html").read_text("utf-8")
    scripts = inspect_html(page).scripts
    # the page's own: the JSON data block and one inline script, nothing from the data
    assert sorted(s.get("type") or "" for s in scripts) == ["", "application/json"], scripts
    assert "<script>alert(1)</script>" not in page
    html = canvas(released, "html")
    assert inspect_html(html).scripts == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def markdown_html(text: str) -> str:
    render = mistune.create_markdown(plugins=["table", "strikethrough"])
    return str(render(text))


@pytest.mark.parametrize(
    "name", ["RELEASE_NOTES.md", "framework.md", "../CHANGELOG.md", "canvas.md"]
)
def test_rendered_markdown_holds_no_script_handler_or_javascript_url(
    released: Path, name: str
) -> None:
    if name == "canvas.md":
        text = canvas(released, "md")
    else:
        text = (released / "releases" / "v1.0.0" / name).read_text("utf-8")
    html = markdown_html(text)
    found = inspect_html(html)
    assert found.scripts == [], (name, found.scripts)
    assert "<script" not in html.lower(), name
    if name in ("RELEASE_NOTES.md", "../CHANGELOG.md"):  # posted as a GitHub release body
        assert not MENTION.search(text), name


# ---- Markdown tables --------------------------------------------------------------------------


def tables(text: str) -> list[list[list[str]]]:
    """Every table in ``text``: rows of cell texts, the head first."""
    parse = mistune.create_markdown(renderer="ast", plugins=["table"])
    found: list[list[list[str]]] = []

    def text_of(node: Any) -> str:
        if isinstance(node, list):
            return "".join(text_of(n) for n in node)
        if node.get("type") == "linebreak" or node.get("type") == "softbreak":
            return " "
        if "raw" in node:
            return str(node["raw"])
        return text_of(node.get("children", []))

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            if node.get("type") == "table":
                rows: list[list[str]] = []
                for part in node["children"]:
                    if part["type"] == "table_head":
                        rows.append([text_of(c) for c in part["children"]])
                    else:
                        rows.extend([text_of(c) for c in r["children"]] for r in part["children"])
                found.append(rows)
            else:
                walk(node.get("children", []) if isinstance(node.get("children"), list) else [])

    walk(parse(text))  # type: ignore[arg-type]
    return found


def test_markdown_tables_keep_their_rows_and_columns(released: Path) -> None:
    texts = {
        "framework.md": (released / "releases/v1.0.0/framework.md").read_text("utf-8"),
        "RELEASE_NOTES.md": (released / "releases/v1.0.0/RELEASE_NOTES.md").read_text("utf-8"),
        "canvas.md": canvas(released, "md"),
    }
    found = {name: tables(text) for name, text in texts.items()}
    assert all(found.values()), {name: len(t) for name, t in found.items()}
    for name, name_tables in found.items():
        for table in name_tables:
            width = len(table[0])
            assert all(len(row) == width for row in table), (name, table)
    # The reference title, pipes, markup and all, is one cell of the references table, read
    # back as it was written (its row as wide as the head).
    rows = [row for table in found["framework.md"] for row in table if REFERENCE_TITLE in row]
    assert len(rows) == 1, found["framework.md"]
    assert rows[0][0] == "REF-1", rows


# ---- job summaries and logs ---------------------------------------------------------------


def no_command_or_mention(text: str, where: str, *, own_commands: bool = False) -> None:
    for line in text.splitlines():
        if own_commands and re.match(r"::(error|warning|notice) [^:]*::", line):
            line = line.split("::", 2)[2]
        assert not line.lstrip().startswith("::"), (where, line)
        assert not MENTION.search(line), (where, line)


def test_diff_md_for_the_job_summary_is_defused(released: Path, tmp_path: Path) -> None:
    from dpi_safeguards.store.writer import dump_yaml

    proposed = released / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    path = proposed / "hostile.yaml"
    path.write_text(
        dump_yaml(
            {
                "title": "::error::pwned @octocat",
                "contributors": [{"name": "@octocat ::warning::x", "github": "octocat"}],
                "licence": "CC-BY-SA-4.0",
                "licence_consent": True,
                "changes": [
                    {
                        "op": "add-practice",
                        "parent": "F3.1",
                        "text": "::error::pwned @octocat <script>alert(1)</script> | x |",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    try:
        result = run_cli("--root", released, "diff", "--format", "md", path)
        assert result.code == 0, result.output
        no_command_or_mention(result.stdout, "diff --format md")
        assert "<script" not in markdown_html(result.stdout)
        previous = run_cli(
            "--root", released, "diff", "--from", "releases/v1.0.0", "--format", "md"
        )
        assert previous.code == 0, previous.output
        no_command_or_mention(previous.stdout, "diff --from --format md")
    finally:
        path.unlink()


def test_validate_github_annotations_are_defused(released: Path) -> None:
    proposed = released / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    path = proposed / "x.yaml"
    text = (CASES / "valid" / "add-practice" / "contribution.yaml").read_text("utf-8")
    path.write_text(
        text.replace("parent: F3.1", 'parent: "F3.9 ::error::pwned @octocat\\n::warning::x"'),
        encoding="utf-8",
    )
    try:
        result = run_cli("--root", released, "validate", "--format", "github", path)
        assert result.code == 1, result.output
        lines = result.stdout.splitlines()
        assert lines[0].startswith("::error file=contributions/proposed/x.yaml,")
        no_command_or_mention("\n".join(lines[:-1]), "validate --format github", own_commands=True)
    finally:
        path.unlink()


def test_intake_github_output_is_defused(released: Path, tmp_path: Path) -> None:
    body = (CASES / "intake" / "hostile" / "workflow-command.md").read_text("utf-8")
    issue = tmp_path / "issue.md"
    issue.write_text(body.replace("Lin\n", "@octocat ::error::x\n"), encoding="utf-8")
    problems = tmp_path / "problems.md"
    result = run_cli(
        "--root", released, "intake", issue, "--format", "github", "--problems", problems
    )
    assert result.code == 1, result.output
    no_command_or_mention(result.stdout, "intake --format github", own_commands=True)
    answer = problems.read_text("utf-8")
    fenced = re.search(r"(`{3,})text\n(.*)\n\1\n", answer, re.S)
    assert fenced and "@octocat" in fenced.group(2), answer  # inside the fence, inert
    outside = answer.replace(fenced.group(0), "")
    no_command_or_mention(outside, "intake --problems")


def test_hostile_names_are_credited_but_inert(released: Path) -> None:
    import html as html_module

    notes = (released / "releases/v1.0.0/RELEASE_NOTES.md").read_text("utf-8")
    html = markdown_html(notes)
    inspect_html(html)  # no script, event handler, javascript: URL or image
    assert "<script" not in html
    assert not MENTION.search(notes)
    # Credited: the rendered text shows every name as written (a zero-width joiner after @).
    shown = html_module.unescape(re.sub(r"<[^>]*>", "", html)).replace("\u200d", "")
    for name in HOSTILE_NAMES:
        assert name in shown, (name, notes)
