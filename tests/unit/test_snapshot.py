"""framework/snapshot.json: used only for bytes it was made from, kept current by every
command that writes the framework, and checked by ``format --check``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dpi_safeguards.check.rules.indexing import _any_text_problem, _json_text_is_clean
from dpi_safeguards.load.folder import LoadedFramework, framework_files, load_framework
from dpi_safeguards.load.snapshot import SNAPSHOT_FILE, read_snapshot
from dpi_safeguards.models.framework import TABLE_NAMES
from tests.support.cli import run_cli
from tests.support.paths import REPO
from tests.support.release_support import add_practice, init_repo

PRACTICE_TEXT = "Publish the grievance process in every language the service is offered in."


def _tables(loaded: LoadedFramework) -> dict[str, object]:
    fw = loaded.framework
    tables: dict[str, object] = {
        name: {i: e.model_dump() for i, e in fw.table(kind).items()}
        for kind, name in TABLE_NAMES.items()
    }
    tables["metadata"] = fw.metadata.model_dump()
    tables["documents"] = {shown: d.data for shown, d in loaded.documents.items()}
    return tables


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the repository's framework, with its snapshot."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "framework", root / "framework")
    return root


def _format_check(root: Path) -> tuple[int, str]:
    result = run_cli("--root", root, "format", "--check")
    return result.code, result.output


def test_the_committed_snapshot_covers_every_framework_file_as_it_is() -> None:
    folder = REPO / "framework"
    snapshot = read_snapshot(folder)
    for path in framework_files(folder):
        name = path.relative_to(folder).as_posix()
        assert snapshot.record_for(name, path.read_bytes()) is not None, name


def test_reading_through_the_snapshot_gives_what_reading_the_yaml_gives() -> None:
    folder = REPO / "framework"
    through = load_framework(folder, display_base=REPO)
    direct = load_framework(folder, display_base=REPO, use_snapshot=False)
    assert through.ok and direct.ok
    assert _tables(through) == _tables(direct)
    assert through.locations == direct.locations and through.filed_under == direct.filed_under


def test_a_file_edited_by_hand_is_read_from_its_yaml_and_format_check_says_so(
    copy: Path,
) -> None:
    target = copy / "framework" / "principles" / "F3.yaml"
    text = target.read_text(encoding="utf-8")
    old = load_framework(copy / "framework").framework.practices["F3.1.1"].text
    target.write_text(text.replace(old.split("\n")[0], PRACTICE_TEXT, 1), encoding="utf-8")

    loaded = load_framework(copy / "framework")
    assert loaded.framework.practices["F3.1.1"].text.startswith(PRACTICE_TEXT)
    code, out = _format_check(copy)
    assert code == 1 and f"framework/{SNAPSHOT_FILE}" in out, out

    assert run_cli("--root", copy, "format").code == 0
    assert _format_check(copy) == (0, "framework files are canonical\n")
    snapshot = read_snapshot(copy / "framework")
    assert snapshot.record_for("principles/F3.yaml", target.read_bytes()) is not None


def test_a_snapshot_whose_data_was_altered_fails_format_check(copy: Path) -> None:
    path = copy / "framework" / SNAPSHOT_FILE
    text = path.read_text(encoding="utf-8")
    assert '"Government"' in text
    path.write_text(text.replace('"Government"', '"Governments"', 1), encoding="utf-8")
    code, out = _format_check(copy)
    assert code == 1 and f"framework/{SNAPSHOT_FILE}" in out, out
    run_cli("--root", copy, "format")
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "content",
    ["", "not json", '{"format": 2, "files": {}}', '{"format": 1, "files": []}', "[1, 2]"],
)
def test_an_unreadable_snapshot_is_ignored_and_format_rewrites_it(copy: Path, content: str) -> None:
    path = copy / "framework" / SNAPSHOT_FILE
    good = path.read_text(encoding="utf-8")
    path.write_text(content, encoding="utf-8")
    folder = copy / "framework"
    assert _tables(load_framework(folder)) == _tables(load_framework(folder, use_snapshot=False))
    assert _format_check(copy)[0] == 1
    assert run_cli("--root", copy, "format").code == 0
    assert path.read_text(encoding="utf-8") == good


def test_the_snapshot_is_one_line_per_file_and_the_same_bytes_each_time(copy: Path) -> None:
    path = copy / "framework" / SNAPSHOT_FILE
    path.unlink()
    run_cli("--root", copy, "format")
    first = path.read_bytes()
    path.unlink()
    run_cli("--root", copy, "format")
    assert path.read_bytes() == first == (REPO / "framework" / SNAPSHOT_FILE).read_bytes()
    lines = first.decode("utf-8").splitlines()
    assert len(lines) == len(framework_files(copy / "framework")) + 2
    assert json.loads(first)["format"] == 1


def test_a_release_writes_the_snapshot_of_the_files_it_stamps(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", root)
    run_cli("--root", root, "format")
    add_practice(root)  # writes the framework, and with it the snapshot
    assert _format_check(root)[0] == 0
    init_repo(root)
    result = run_cli("--root", root, "release", "--date", "2026-03-01")
    assert result.code == 0, result.output
    assert _format_check(root) == (0, "framework files are canonical\n")


# Every character text_problem refuses, and white space of every kind at either end.
_HOSTILE_CHARS = [
    *("\t", "\r", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\u061c", "\u200b", "\u202e"),
    *("\u2066", "\ufeff", " ", "\n", "\u00a0", "\u3000", "\u2028", "\x1c"),
]
_HOSTILE = st.sampled_from(_HOSTILE_CHARS)
_SOME = st.text(max_size=4)
_TEXTS = st.one_of(
    st.text(max_size=12),
    st.builds(lambda a, b: a + b, _SOME, _HOSTILE),  # at the end
    st.builds(lambda a, b: a + b, _HOSTILE, _SOME),  # at the start
    st.builds(lambda a, b, c: a + b + c, _SOME, _HOSTILE, _SOME),
)


@settings(max_examples=500, deadline=None)
@given(st.recursive(_TEXTS, lambda inner: st.lists(inner, max_size=3), max_leaves=6))
def test_the_quick_look_at_a_snapshot_text_never_misses_a_text_problem(value: object) -> None:
    data = {"processes": [{"id": "F1.1", "text": value}]}
    data_json = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if _any_text_problem(data):
        assert not _json_text_is_clean(data_json), data_json


def test_the_quick_look_passes_the_repository_s_framework() -> None:
    for record in read_snapshot(REPO / "framework").records.values():
        assert _json_text_is_clean(record.data_json)


@pytest.mark.parametrize("char", _HOSTILE_CHARS)
@pytest.mark.parametrize("where", ["start", "middle", "end", "alone"])
@pytest.mark.parametrize("beside", ["plain", 'say "yes" \\ no', "café"])
def test_the_quick_look_flags_each_refused_character_wherever_it_stands(
    char: str, where: str, beside: str
) -> None:
    text = {"start": char + "ab", "middle": "a" + char + "b", "end": "ab" + char, "alone": char}
    data = {"texts": ["x", text[where], beside]}
    if _any_text_problem(data):
        data_json = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        assert not _json_text_is_clean(data_json), data_json


def test_a_snapshot_line_whose_data_is_not_json_is_read_from_the_yaml(copy: Path) -> None:
    folder = copy / "framework"
    path = folder / SNAPSHOT_FILE
    lines = path.read_text(encoding="utf-8").split("\n")
    risks = next(i for i, line in enumerate(lines) if line.startswith('"risks.yaml"'))
    head = lines[risks].split('"data":', 1)[0]
    lines[risks] = head + '"data":{"risks":[{"id":"RS1",}]},'
    path.write_text("\n".join(lines), encoding="utf-8")
    assert _tables(load_framework(folder)) == _tables(load_framework(folder, use_snapshot=False))
    assert _format_check(copy)[0] == 1


def test_a_snapshot_that_is_a_link_is_not_read(copy: Path, tmp_path: Path) -> None:
    folder = copy / "framework"
    elsewhere = tmp_path / "elsewhere.json"
    (folder / SNAPSHOT_FILE).rename(elsewhere)
    (folder / SNAPSHOT_FILE).symlink_to(elsewhere)
    assert read_snapshot(folder).records == {}
    assert _tables(load_framework(folder)) == _tables(load_framework(folder, use_snapshot=False))
