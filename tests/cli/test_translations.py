"""Translations through the real commands, on a real git repository holding the real
framework and the sample French and Arabic catalogues: status -> release -> an English
text changes -> update marks exactly that entry fuzzy in every language -> status counts
it -> the next release gives it in English and says so -> verify rebuilds both releases
from their tags. And a catalogue with a bidi control character is refused, naming the
file and line, by check and by release, with nothing written.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import frictionless
import jsonschema
import polib
import pytest

from dpi_safeguards.check.schemas import generate
from tests.support.cli import run_cli
from tests.support.paths import GOLDEN, REPO
from tests.support.release_support import commit_all, compare_golden, init_repo, tree_bytes

GOLDEN_TRANSLATIONS = GOLDEN / "translations"
CHANGED = "F3.1.1"
LANGUAGES = ("ar", "fr")


def _cli(root: Path, *args: str, code: int = 0) -> str:
    result = run_cli(*args, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code == code, (result.stdout, result.stderr)
    return result.stdout


def translation_repo(root: Path, publish_from: int = 5, *, with_tool: bool = False) -> Path:
    """The repository's framework and catalogues in a new git repository (``with_tool``:
    and the tool's source, so that verify rebuilds with the code at the tag). The samples
    are made publishable, as a translator's review would: no sample mark, a low threshold."""
    root.mkdir(parents=True)
    for name in ("framework", "contributions", "translations"):
        shutil.copytree(REPO / name, root / name)
    if with_tool:
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
        shutil.copytree(REPO / "pipeline", root / "pipeline", ignore=ignore)
    for language in LANGUAGES:
        path = root / "translations" / f"{language}.po"
        text = path.read_text(encoding="utf-8").replace('"X-Safeguards-Review: sample\\n"\n', "")
        path.write_text(text, encoding="utf-8")
    config = root / "translations" / "translations.yaml"
    config.write_text(f"publish_from_percent: {publish_from}\n", encoding="utf-8")
    init_repo(root)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return translation_repo(tmp_path / "repo")


@pytest.fixture
def repo_with_tool(tmp_path: Path) -> Path:
    return translation_repo(tmp_path / "repo", with_tool=True)


def _status(root: Path) -> dict[str, dict[str, object]]:
    data = json.loads(_cli(root, "translations", "status", "--format", "json"))
    jsonschema.validate(data, generate("translations-status"))
    return {lang["language"]: lang for lang in data["languages"]}


def _entries(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgctxt: e for e in polib.pofile(str(path))}


def _change_english(root: Path, practice_id: str, new_text: str) -> None:
    for path in (root / "framework" / "principles").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        marker = f"id: {practice_id}\n"
        if marker in text:
            head, _, tail = text.partition(marker)
            line, _, rest = tail.partition("\n")
            assert line.strip().startswith("text:"), line
            indent = line[: len(line) - len(line.lstrip())]
            path.write_text(f"{head}{marker}{indent}text: {new_text}\n{rest}", encoding="utf-8")
            return
    raise AssertionError(f"{practice_id} not found")


def test_a_changed_english_text_is_fuzzy_everywhere_and_falls_back(repo_with_tool: Path) -> None:
    repo = repo_with_tool
    before = _status(repo)
    assert {c: (s["translated"], s["fuzzy"]) for c, s in before.items()} == {
        "ar": (24, 0),
        "fr": (24, 0),
    }
    assert all(s["published"] for s in before.values())
    _cli(repo, "release", "--date", "2026-12-08", "--tag")
    first = repo / "releases" / "v1.0.0"
    french = json.loads((first / "i18n" / "fr" / "framework.json").read_bytes())
    assert (
        french["practices"][0]["id"]
        and french["metadata"] == json.loads((first / "framework.json").read_bytes())["metadata"]
    )
    jsonschema.validate(french, generate("framework"))
    assert _practice_text(first, "fr", CHANGED).startswith("Établir des points d'accès")
    summary = json.loads((first / "translations.json").read_bytes())
    jsonschema.validate(summary, generate("translations"))

    catalogues = {c: _entries(repo / "translations" / f"{c}.po") for c in LANGUAGES}
    _change_english(repo, CHANGED, "Establish physical locations to ensure access in remote areas.")
    updated = _cli(repo, "translations", "update")
    assert f"ar: 1 now fuzzy ({CHANGED}:text)" in updated
    assert f"fr: 1 now fuzzy ({CHANGED}:text)" in updated
    for language in LANGUAGES:
        after = _entries(repo / "translations" / f"{language}.po")
        assert sorted(after) == sorted(catalogues[language])
        fuzzy = [ctx for ctx, e in after.items() if "fuzzy" in e.flags]
        assert fuzzy == [f"{CHANGED}:text"], language
        entry = after[f"{CHANGED}:text"]
        old = catalogues[language][f"{CHANGED}:text"]
        assert entry.msgstr == old.msgstr and entry.previous_msgid == old.msgid
        same = [c for c in after if c != f"{CHANGED}:text"]
        assert all(after[c].msgstr == catalogues[language][c].msgstr for c in same)
    # Up to date now: a second update writes nothing, and --check agrees.
    assert "up to date" in _cli(repo, "translations", "update", "--check")
    counted = _status(repo)
    for language in LANGUAGES:
        assert (counted[language]["translated"], counted[language]["fuzzy"]) == (23, 1)

    commit_all(repo, "F3.1.1 reworded")
    _cli(repo, "release", "--date", "2026-12-09", "--tag")
    second = repo / "releases" / "v1.0.1"
    for language in LANGUAGES:
        # The English text, now the new one, in place of the stale translation ...
        assert _practice_text(second, language, CHANGED).endswith("access in remote areas.")
        rows = list(
            csv.DictReader(
                io.StringIO(
                    (second / "i18n" / language / "fallbacks.csv").read_text(encoding="utf-8")
                )
            )
        )
        fuzzy_rows = [r for r in rows if r["reason"] == "fuzzy"]
        assert [(r["id"], r["field"]) for r in fuzzy_rows] == [(CHANGED, "text")]
        # ... and the practice next to it still translated.
        assert _practice_text(second, language, "F3.1.2") != _practice_text(second, "", "F3.1.2")
    notes = (second / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "Given in English because the English changed since they were translated" in notes
    assert f"- ar: {CHANGED}:text" in notes and f"- fr: {CHANGED}:text" in notes
    assert "| fr (français) | 23 of 358 | 1 |" in notes
    assert "translations changed" in notes
    compare_golden(
        GOLDEN_TRANSLATIONS,
        {
            name: (second / name).read_bytes()
            for name in (
                "translations.json",
                "i18n/fr/fallbacks.csv",
                "i18n/ar/framework.md",
                "translations/ar.po",
                "RELEASE_NOTES.md",
            )
        },
    )
    # Both releases rebuilt, by the code at their tags, from the catalogues at their tags.
    verified = run_cli("verify", "--format", "json", cwd=repo)
    assert verified.code == 0, (verified.stdout, verified.stderr)
    assert sorted(json.loads(verified.stdout)["rebuilt"]) == ["1.0.0", "1.0.1"]


def _practice_text(bundle: Path, language: str, practice_id: str) -> str:
    folder = bundle / "i18n" / language if language else bundle
    data = json.loads((folder / "framework.json").read_bytes())
    return next(str(p["text"]) for p in data["practices"] if p["id"] == practice_id)


def test_a_bidi_control_character_is_refused_with_file_and_line(repo: Path) -> None:
    path = repo / "translations" / "ar.po"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line == 'msgstr "عدم الإضرار"') + 1
    lines[number - 1] = 'msgstr "عدم \u202bالإضرار"'
    path.write_text("\n".join(lines), encoding="utf-8")
    checked = run_cli("translations", "check", cwd=repo)
    assert checked.code == 1
    assert (
        f"translations/ar.po:{number}:13: error TRN002: contains the invisible or control "
        "character U+202B (RIGHT-TO-LEFT EMBEDDING)" in checked.stdout
    )
    # Right-to-left letters themselves are fine: the rest of the Arabic catalogue passes.
    assert checked.stdout.count(": error ") == 1
    github = run_cli("translations", "check", "--format", "github", cwd=repo)
    assert github.stdout.startswith(f"::error file=translations/ar.po,line={number},")
    before = _files(repo)
    refused = run_cli("release", "--date", "2026-12-08", cwd=repo)
    assert refused.code == 1
    assert f"translations/ar.po:{number}: TRN002" in refused.stderr
    assert _files(repo) == before
    # update refuses too, rather than rewrite a catalogue with an error in it
    stopped = run_cli("translations", "update", cwd=repo)
    assert stopped.code == 1 and "TRN002" in stopped.stderr
    assert _files(repo) == before


def _files(root: Path) -> dict[str, bytes]:
    # The repository lock is an empty file a writing command leaves; it holds nothing.
    return {p: b for p, b in tree_bytes(root).items() if p != ".safeguards.lock"}


def test_a_sample_catalogue_is_never_published(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("framework", "contributions", "translations"):
        shutil.copytree(REPO / name, root / name)
    (root / "translations" / "translations.yaml").write_text("publish_from_percent: 0\n")
    status = _status(root)
    assert not status["fr"]["published"] and status["fr"]["sample"]
    assert "sample" in str(status["fr"]["reason"])
    _cli(root, "release", "--date", "2026-12-08")
    bundle = root / "releases" / "v1.0.0"
    assert not (bundle / "i18n").exists() and not (bundle / "site" / "fr").exists()
    assert "no: a sample catalogue" in (bundle / "RELEASE_NOTES.md").read_text(encoding="utf-8")


def test_status_and_update_on_the_repository_and_new_languages(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("framework", "contributions"):
        shutil.copytree(REPO / name, root / name)
    assert "no catalogue in translations/" in _cli(root, "translations", "status")
    bad = run_cli("translations", "update", "--add", "klingon", cwd=root)
    assert bad.code == 2 and "'klingon' is not a language code" in bad.stderr
    assert not (root / "translations").exists()
    added = _cli(root, "translations", "update", "--add", "pt_BR")
    assert "wrote translations/pt_BR.po" in added and "358 new" in added
    shown = _cli(root, "translations", "status")
    assert "pt_BR (português (Brasil))" in shown and "0%" in shown
    markdown = _cli(root, "translations", "status", "--format", "markdown")
    assert (
        markdown.startswith("## Translations\n") and "| pt\\_BR (português (Brasil)) |" in markdown
    )
    template = (root / "translations" / "framework.pot").read_text(encoding="utf-8")
    assert template == (REPO / "translations" / "framework.pot").read_text(encoding="utf-8")


def test_the_repository_template_is_up_to_date() -> None:
    result = run_cli("translations", "update", "--check", cwd=REPO)
    assert result.code == 0, result.stdout


HOSTILE = {
    "F3.1.2:text": '=HYPERLINK("https://example.org") <script>alert(1)</script>',
    "F1:name": "# **Ne pas** nuire [lien](https://example.org)",
}


def test_a_hostile_translation_is_data_in_every_export(repo: Path, tmp_path: Path) -> None:
    path = repo / "translations" / "fr.po"
    catalogue = polib.pofile(str(path), wrapwidth=78)
    for entry in catalogue:
        if entry.msgctxt in HOSTILE:
            entry.msgstr = HOSTILE[entry.msgctxt]
    catalogue.save(str(path))
    assert run_cli("translations", "check", cwd=repo).code == 0
    out = tmp_path / "bundle"
    _cli(repo, "release", "--dry-run", "-o", str(out), "--date", "2026-12-08")
    french = out / "i18n" / "fr"
    practices = list(csv.DictReader(io.StringIO((french / "practices.csv").read_text("utf-8"))))
    cell = next(r["text"] for r in practices if r["id"] == "F3.1.2")
    assert cell.startswith("'=HYPERLINK(")  # a spreadsheet shows it, never runs it
    markdown = (french / "framework.md").read_text(encoding="utf-8")
    assert r"\# \*\*Ne pas\*\* nuire \[lien\](https://example.org)" in markdown
    assert "<script>" not in markdown
    page = (out / "site" / "fr" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and r"\u003cscript\u003ealert(1)" in page
    # A data package validator reads every language's tables, fallbacks included.
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
    names = {r.name for r in frictionless.Package(str(out / "datapackage.json")).resources}
    assert {"practices", "practices-fr", "fallbacks-fr", "practices-ar"} <= names
