"""The exports survive real tools: CSV parsers and spreadsheets, Markdown renderers,
Frictionless, JSON Schema validators and feed readers."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dpi_safeguards import api
from dpi_safeguards.core.text import csv_cell, md_cell, md_inline
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.exports.htmlsafe import markdown_to_html
from dpi_safeguards.release.bundle import build_bundle
from tests.support.release_support import HOSTILE_CONTRIBUTOR, HOSTILE_TEXT, add_hostile_practice


@pytest.fixture
def hostile_files(mini_root: Path) -> dict[str, bytes]:
    """A bundle whose practice F3.1.3 tries formula, Markdown and HTML injection."""
    add_hostile_practice(mini_root)
    framework = api.load(Workspace(mini_root))
    return build_bundle(
        framework, None, version="1.0.0", date="2026-01-15", previous_version=None
    ).files


@pytest.fixture
def hostile_release(mini_root: Path) -> Path:
    """Two releases written to disk: 1.0.0 (mini), 1.1.0 (adds the hostile practice)."""
    workspace = Workspace(mini_root)
    api.release(workspace, api.ReleaseOptions(date="2026-01-15"))
    add_hostile_practice(mini_root)
    api.release(workspace, api.ReleaseOptions(date="2026-02-15"))
    return mini_root / "releases"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(start: str) -> None:
    assert csv_cell(start + "1+1") == "'" + start + "1+1"
    assert csv_cell("plain " + start) == "plain " + start


def test_csv_is_rfc4180_utf8_without_bom(hostile_files: dict[str, bytes]) -> None:
    for name, data in hostile_files.items():
        if not name.endswith(".csv"):
            continue
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert data.endswith(b"\r\n"), name
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
        rows = list(reader)
        assert len({len(r) for r in rows}) == 1, name
    practice = next(r for r in _rows(hostile_files["practices.csv"]) if r["id"] == "F3.1.3")
    assert practice["text"] == "'" + HOSTILE_TEXT
    assert practice["text"].startswith("'=HYPERLINK(")
    recommendation = next(
        r for r in _rows(hostile_files["recommendations.csv"]) if r["practice"] == "F3.1.3"
    )
    assert recommendation["practice_text"].startswith("'=HYPERLINK(")
    assert recommendation["authorities"] == "R4"
    assert recommendation["stages"] == "L1|L2"
    assert recommendation["risks"] == "RI2"


def test_csv_formula_cell_opens_as_text_in_libreoffice(
    hostile_files: dict[str, bytes], tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    source = tmp_path / "practices.csv"
    source.write_bytes(hostile_files["practices.csv"])
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "fods",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The flat ODS file says what Calc made of each cell: text, number or formula.
    sheet = ET.parse(out / "practices.fods").getroot()
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    cells = [
        c for c in sheet.iter(f"{{{table}}}table-cell") if "HYPERLINK" in "".join(c.itertext())
    ]
    assert len(cells) == 1
    assert cells[0].get(f"{{{office}}}value-type") == "string"
    assert not any(c.get(f"{{{table}}}formula") for c in sheet.iter(f"{{{table}}}table-cell"))


def test_markdown_escapes_contributed_text(hostile_files: dict[str, bytes]) -> None:
    for name in ("framework.md", "RELEASE_NOTES.md"):
        text = hostile_files[name].decode("utf-8")
        html = markdown_to_html(text)
        assert "<script" not in html, name
        assert "<img" not in html, name
        assert 'href="javascript' not in html.lower(), name
        assert "<em>not" not in html and "<strong>not" not in html, name
        assert "<code>not" not in html, name
        assert "<h1>not a heading" not in html and "<li>not a list" not in html, name
    assert md_cell("a | b\nc") == r"a \| b<br>c"
    assert md_inline("# x\n- y\n1. z") == "\\# x\n\\- y\n1\\. z"
    notes = hostile_files["RELEASE_NOTES.md"].decode("utf-8")
    assert md_inline(HOSTILE_CONTRIBUTOR) in notes


def test_safe_html_renderer_drops_raw_html_and_unsafe_links() -> None:
    html = markdown_to_html(
        "<b>raw</b> [x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [z](data:text/html,1) "
        "[ok](https://example.org) [mail](mailto:a@example.org) ![img](https://x/y.png)\n\n"
        "<div onclick=1>block</div>\n"
    )
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "javascript" not in html.lower().replace("&lt;", "")
    assert "data:text" not in html
    assert '<a href="https://example.org">ok</a>' in html
    assert '<a href="mailto:a@example.org">mail</a>' in html
    assert "<img" not in html
    assert "<div" not in html


def test_datapackage_validates_with_frictionless(hostile_release: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    for version in ("v1.0.0", "v1.1.0"):
        report = frictionless.validate(str(hostile_release / version / "datapackage.json"))
        assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
        package = json.loads((hostile_release / version / "datapackage.json").read_text())
        assert {r["encoding"] for r in package["resources"]} == {"utf-8"}
        assert {r["path"] for r in package["resources"]} == {
            p.name for p in (hostile_release / version).glob("*.csv")
        }


def test_datapackage_foreign_keys_catch_a_dangling_parent(hostile_release: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    folder = hostile_release / "v1.0.0"
    package = json.loads((folder / "datapackage.json").read_text())
    for resource in package["resources"]:
        resource.pop("hash")
        resource.pop("bytes")
    (folder / "datapackage.json").write_text(json.dumps(package))
    practices = folder / "practices.csv"
    practices.write_bytes(practices.read_bytes().replace(b"F3.1.1,F3.1,", b"F3.1.1,F3.9,"))
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_frictionless_cli_validates(hostile_release: Path) -> None:
    pytest.importorskip("frictionless")
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "frictionless",
            "validate",
            str(hostile_release / "v1.1.0" / "datapackage.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _schema(name: str) -> dict[str, object]:
    from dpi_safeguards.check.schemas import packaged_dir

    loaded: dict[str, object] = json.loads(
        (packaged_dir() / f"{name}.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def test_json_files_validate_against_their_schemas(hostile_release: Path) -> None:
    for version in ("v1.0.0", "v1.1.0"):
        folder = hostile_release / version
        for file, schema in (("framework.json", "framework"), ("changes.json", "changes")):
            data = json.loads((folder / file).read_text())
            jsonschema.Draft202012Validator(_schema(schema)).validate(data)
            shipped = json.loads((folder / "schemas" / f"{schema}.schema.json").read_text())
            assert shipped == _schema(schema)
    index = json.loads((hostile_release / "index.json").read_text())
    jsonschema.Draft202012Validator(_schema("release-index")).validate(index)


def test_feed_is_valid_atom(hostile_release: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    raw = (hostile_release / "feed.xml").read_bytes()
    root = ET.fromstring(raw)
    ns = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{ns}feed"
    assert root.findtext(f"{ns}updated") == "2026-02-15T00:00:00Z"
    entries = root.findall(f"{ns}entry")
    assert [e.findtext(f"{ns}updated") for e in entries] == [
        "2026-02-15T00:00:00Z",
        "2026-01-15T00:00:00Z",
    ]
    for entry in entries:
        for tag in ("id", "title", "updated", "content"):
            assert entry.find(f"{ns}{tag}") is not None
        assert entry.find(f"{ns}link") is not None
    content = entries[0].findtext(f"{ns}content") or ""
    assert "<script" not in content and "<img" not in content
    assert 'href="javascript' not in content.lower()
    assert "https://dpi-safeguards.github.io/framework/releases/v1.1.0/changes.json" in content
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.id for e in parsed.entries] == [
        "tag:dpi-safeguards.github.io,2024:framework/releases:v1.1.0",
        "tag:dpi-safeguards.github.io,2024:framework/releases:v1.0.0",
    ]


_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029"
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_markdown_escaping_renders_the_text_itself(text: str) -> None:
    """Whatever a contributor writes renders as exactly that text: no markup, no links."""
    import html as html_module

    text = " ".join(text.split())
    assume(text)
    rendered = markdown_to_html(md_inline(text)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered[3:-4]
    assert "<" not in inner
    assert html_module.unescape(inner) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=5))
def test_csv_cells_round_trip(values: list[str]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_cell(v) for v in values])
    (row,) = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    for cell, value in zip(row, values, strict=True):
        assert cell == (("'" + value) if value.startswith(("=", "+", "-", "@")) else value)
