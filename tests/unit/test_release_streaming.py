"""The bundle written file by file, in pieces, is byte for byte the bundle rendered whole.

A release of 100,000 practices is written into its folder as each file is rendered (JSON
entry by entry, CSV and Markdown in pieces, encoded and hashed in blocks), so it is never
held whole in memory. These tests force the smallest pieces (one row, one line, one
character per block) on small frameworks, where the default sizes would give one piece.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from dpi_safeguards import api
from dpi_safeguards.core.text import csv_cell
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.exports import csv_tables, markdown
from dpi_safeguards.exports.csv_tables import CSV_ENCODING, TABLES, Table, iter_csv
from dpi_safeguards.exports.datapackage import render_datapackage
from dpi_safeguards.exports.framework_json import framework_to_data, same_data
from dpi_safeguards.models.base import Deprecation, ProvenanceRecord
from dpi_safeguards.models.framework import ENTRY_MODELS, Framework
from dpi_safeguards.release import bundle as bundle_module
from dpi_safeguards.release.bundle import (
    Bundle,
    build_bundle,
    compute_changes,
    framework_document,
    same_bundle,
    sha256,
)
from dpi_safeguards.store import writer
from dpi_safeguards.store.writer import (
    JsonStream,
    compact_json,
    dump_json,
    indented_json,
    iter_dump_json,
)
from tests.support.paths import REPO
from tests.support.release_support import add_hostile_practice, deprecate, fix_text, tree_bytes

VERSION = "1.1.0"
DATE = "2026-02-15"


@pytest.fixture
def smallest_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_tables, "ROWS_PER_PIECE", 1)
    monkeypatch.setattr(markdown, "LINES_PER_PIECE", 1)
    monkeypatch.setattr(bundle_module, "BLOCK_CHARS", 1)
    monkeypatch.setattr(writer, "JSON_ITEMS_PER_PIECE", 1)


@pytest.fixture
def versions(mini_root: Path) -> tuple[Framework, Framework]:
    """The mini fixture, and a version of it with an addition (hostile text), a text
    change and a deprecation: every kind of line the exports write."""
    before = api.load(Workspace(mini_root))
    add_hostile_practice(mini_root)
    fix_text(mini_root)
    deprecate(mini_root, "F3.1.2", "Covered by F3.1.1.")
    return before, api.load(Workspace(mini_root))


def render_csv(table: Table, fw: Framework) -> bytes:
    return "".join(iter_csv(table, fw)).encode(CSV_ENCODING)


def _in_memory(after: Framework, before: Framework | None) -> Bundle:
    return build_bundle(
        after, before, version=VERSION, date=DATE, previous_version="1.0.0", with_site=False
    )


# ---- JSON in pieces ------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)  # orjson's range
    | st.floats(allow_nan=False)
    | st.text(max_size=8)  # any text: line breaks, quotes, U+2028, non-ASCII
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=20,
)


@st.composite
def streamed(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with some of the lists that are values of dicts (or the whole value)
    turned into JsonStreams."""
    if isinstance(value, dict):
        return {key: draw(streamed(item)) for key, item in value.items()}
    if isinstance(value, list) and draw(st.booleans()):
        return JsonStream(iter([draw(streamed(item)) for item in value]))
    return value


@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(min_value=1, max_value=3))
def test_json_in_pieces_is_dump_json(data: st.DataObject, items_per_piece: int) -> None:
    value = data.draw(json_values | st.dictionaries(st.text(max_size=4), json_values))
    pieces = list(iter_dump_json(data.draw(streamed(value)), items_per_piece))
    assert "".join(pieces) == dump_json(value)


def test_json_stream_of_nothing_is_an_empty_list() -> None:
    for items_per_piece in (1, 2, 256):
        data = {"a": JsonStream(iter([])), "b": {"c": JsonStream(iter([{}, [], 1]))}}
        pieces = iter_dump_json(data, items_per_piece)
        assert "".join(pieces) == dump_json({"a": [], "b": {"c": [{}, [], 1]}})


# ---- each export in pieces ------------------------------------------------------------------


def _csv_whole(table: csv_tables.Table, fw: Framework) -> bytes:
    """The table written by one csv.writer into one buffer (how it was rendered before)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in table.columns])
    for row in table.rows(fw):
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


@pytest.mark.usefixtures("smallest_pieces")
@pytest.mark.parametrize("source", ["repo", "versions"])
def test_each_export_in_pieces_is_the_whole_render(
    source: str, versions: tuple[Framework, Framework], monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = versions if source == "versions" else (None, api.load(Workspace(REPO)))
    files = _in_memory(after, before).files
    assert files["framework.json"] == (dump_json(framework_document(after, VERSION, DATE)).encode())
    changes = compute_changes(before, after, "1.0.0", VERSION)
    assert files["changes.json"] == (
        dump_json(changes.model_dump(mode="json", by_alias=True)).encode()
    )
    for table in TABLES:
        assert len(list(iter_csv(table, after))) > 1
        assert files[table.filename] == render_csv(table, after) == _csv_whole(table, after)
    pieces = list(markdown.iter_framework_md(after, VERSION, DATE))
    assert len(pieces) > 1
    monkeypatch.setattr(markdown, "LINES_PER_PIECE", 10**9)  # one piece: "\n".join(lines)
    assert [files["framework.md"].decode()] == list(
        markdown.iter_framework_md(after, VERSION, DATE)
    )
    csv_bytes = {t.filename: files[t.filename] for t in TABLES}
    datapackage = dump_json(render_datapackage(after, VERSION, DATE, csv_bytes)).encode()
    assert files["datapackage.json"] == datapackage


# ---- the bundle written into a folder ------------------------------------------------------


def test_bundle_written_to_a_folder_is_the_bundle_in_memory(
    versions: tuple[Framework, Framework], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = versions
    whole = _in_memory(after, before)  # default piece sizes
    monkeypatch.setattr(csv_tables, "ROWS_PER_PIECE", 1)
    monkeypatch.setattr(markdown, "LINES_PER_PIECE", 1)
    monkeypatch.setattr(bundle_module, "BLOCK_CHARS", 1)
    monkeypatch.setattr(writer, "JSON_ITEMS_PER_PIECE", 1)
    folder = tmp_path / "v1.1.0"
    written = build_bundle(
        after,
        before,
        version=VERSION,
        date=DATE,
        previous_version="1.0.0",
        with_site=False,
        target=folder,
    )
    assert written.files == {} and written.folder == folder
    assert tree_bytes(folder) == whole.files
    assert written.manifest == whole.manifest
    assert list(written.manifest) == sorted(whole.files)
    for name, data in whole.files.items():
        assert whole.manifest[name].sha256 == sha256(data)
        assert whole.manifest[name].size == len(data)
    assert written.size == sum(len(b) for b in whole.files.values())
    for path in [folder, *folder.rglob("*")]:
        assert (path.stat().st_mode & 0o777) == (0o755 if path.is_dir() else 0o644)
    with pytest.raises(FileExistsError):  # never into an existing folder
        build_bundle(
            after, before, version=VERSION, date=DATE, previous_version="1.0.0", target=folder
        )


def test_same_bundle_compares_every_byte(
    versions: tuple[Framework, Framework], tmp_path: Path
) -> None:
    before, after = versions
    kwargs: dict[str, Any] = {
        "version": VERSION,
        "date": DATE,
        "previous_version": "1.0.0",
        "with_site": False,
    }
    in_memory = build_bundle(after, before, **kwargs)
    written = build_bundle(after, before, target=tmp_path / "built", **kwargs)
    other = tmp_path / "other"
    build_bundle(after, before, target=other, **kwargs)
    for bundle in (in_memory, written):
        assert same_bundle(other, bundle)
    path = other / "framework.json"
    data = path.read_bytes()
    path.write_bytes(data[:-2] + b"]\n" if data.endswith(b"}\n") else data + b" ")
    assert not any(same_bundle(other, b) for b in (in_memory, written))
    path.write_bytes(data)
    (other / "extra.txt").write_text("x")
    assert not any(same_bundle(other, b) for b in (in_memory, written))
    (other / "extra.txt").unlink()
    (other / "kpis.csv").unlink()
    assert not any(same_bundle(other, b) for b in (in_memory, written))
    os.symlink(tmp_path / "built" / "kpis.csv", other / "kpis.csv")
    with pytest.raises(Exception, match="is a symlink"):
        same_bundle(other, written)


# ---- comparing frameworks entry by entry ----------------------------------------------------


def test_same_data_is_equality_of_the_framework_data(versions: tuple[Framework, Framework]) -> None:
    before, after = versions
    repo = api.load(Workspace(REPO))
    copy = api.load(Workspace(REPO))
    empty = Framework(metadata=before.metadata)
    renamed = dataclasses.replace(
        copy, metadata=copy.metadata.model_copy(update={"title": "Other"})
    )
    pairs = [(before, after), (after, before), (before, before), (repo, copy), (repo, before)]
    pairs += [(repo, renamed), (empty, before), (before, empty)]
    for a, b in pairs:
        assert same_data(a, b) == (framework_to_data(a) == framework_to_data(b))
    assert same_data(repo, copy) and not same_data(repo, renamed)
    # the same data in other objects (read back from framework.json) compare equal
    from dpi_safeguards.load.released import framework_from_data

    assert same_data(repo, framework_from_data(json.loads(dump_json(framework_to_data(repo)))))


_NO_FLOATS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # past orjson's range too
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_NO_FLOATS)
@example("\ud800 a lone surrogate, which orjson refuses")
@example('\x00\x1f\x7f\u2028\u2029"\\/<>&')
def test_orjson_writes_what_the_standard_library_writes(value: Any) -> None:
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


def _nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _nested_models(argument)


def test_no_model_inside_an_entry_has_a_tail_key() -> None:
    """entry_to_data reorders only an entry's top level: that is right while no model
    nested in an entry has a field named like a tail key."""
    seen: set[type[BaseModel]] = set()
    for model in ENTRY_MODELS.values():
        for info in model.model_fields.values():
            seen.update(_nested_models(info.annotation))
    assert {ProvenanceRecord, Deprecation} <= seen  # the walk finds nested models
    for inner in seen:
        assert not set(inner.model_fields) & set(writer._TAIL_KEYS), inner


def test_entry_to_data_is_to_data(versions: tuple[Framework, Framework]) -> None:
    """Key order included, for every entry of the repository's framework and of one with
    a deprecation and hostile texts."""
    for fw in (api.load(Workspace(REPO)), versions[1]):
        for kind in ENTRY_MODELS:
            for entry in fw.table(kind).values():
                expected = writer.to_data(entry)
                assert json.dumps(writer.entry_to_data(entry)) == json.dumps(expected)


_CSV_CELLS = st.text(alphabet=st.sampled_from("ab ,\"\r\n\t'=é\u2028"), max_size=6) | st.text(
    max_size=4
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(_CSV_CELLS, max_size=5), max_size=4))
@example([[""], [], ["", ""], ['"'], [","], ["a\r"], ["\n", "b"]])
def test_csv_line_is_what_the_csv_module_writes(rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    assert "".join(csv_tables.csv_line(row) for row in rows) == buffer.getvalue()
