"""The safe reader: positions, and no exception but LoadError for any input."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dpi_safeguards.store.reader import Document, LoadError, decode, parse_text
from dpi_safeguards.store.yaml_text import parse_yaml
from tests.support.paths import CASES, GOLDEN, TESTS

# Every JSON file of the test data: the cases and the golden outputs.
JSON_FILES = sorted([*CASES.glob("**/*.json"), *GOLDEN.glob("**/*.json")])


def test_positions_are_one_based() -> None:
    doc = parse_text("a: 1\nb:\n  - p\n  - q\n", "f.yaml", is_json=False)
    assert doc.data == {"a": 1, "b": ["p", "q"]}
    assert doc.locate(("b", 1)) == (4, 5)
    assert doc.locate(("a",)) == (1, 4)


def test_json_and_yaml_read_the_same() -> None:
    as_yaml = parse_text("x: [1, 2.5, true, null, 'no']\n", "f.yaml", is_json=False).data
    as_json = parse_text('{"x": [1, 2.5, true, null, "no"]}', "f.json", is_json=True).data
    assert as_yaml == as_json


def test_json_positions_found_through_yaml_reading() -> None:
    doc = parse_text('{\n  "a": {\n    "b": "x"\n  }\n}\n', "f.json", is_json=True)
    assert doc.locate(("a", "b")) == (3, 10)


def _json_locator_agrees(text: str) -> None:
    """Every value's position, and the nearest parent's for paths that go nowhere, as
    the YAML reader gives them."""
    positions = parse_yaml(text, "f.json", want_positions=True)[1]
    as_json = Document("f.json", text, None, is_yaml=False)
    as_yaml = Document("f.json", text, None, is_yaml=True, _positions=positions)
    for path in [(), *positions]:
        for asked in (path, (*path, "missing"), (*path, 7), (*path, 0, "x")):
            assert as_json.locate(asked) == as_yaml.locate(asked), asked


@pytest.mark.parametrize(
    "path",
    JSON_FILES,
    ids=lambda p: str(p.relative_to(TESTS)),
)
def test_json_locator_agrees_with_the_yaml_reader_on_the_case_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        json.loads(text)
        parse_yaml(text, "f.json", want_positions=False)
    except (ValueError, RecursionError, LoadError):
        pytest.skip("not a document both readers read")
    _json_locator_agrees(text)


_JSON_TEXT = st.text(
    alphabet=st.sampled_from(["a", "é", '"', "\\", "\n", "\r", "\u2028", "\u0085", "😀", " "]),
    max_size=8,
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-999, 999) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.sampled_from([None, 0, 2, "\t"]), st.booleans(), st.booleans())
def test_json_locator_agrees_with_the_yaml_reader(
    value: object, indent: int | str | None, ascii_only: bool, crlf: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    if crlf:
        text = text.replace("\n", "\r\n")
    try:
        parse_yaml(text, "f.json", want_positions=False)
    except LoadError:
        return  # YAML 1.1 does not read every JSON text; the locator then stands alone
    _json_locator_agrees(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_any_bytes_give_data_or_a_load_error(data: bytes, is_json: bool) -> None:
    with contextlib.suppress(LoadError):
        parse_text(decode(data, "f"), "f", is_json=is_json)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]{}:,-'\"!&*|>#?\n ab1.", max_size=200), st.booleans())
def test_yaml_punctuation_soup_gives_data_or_a_load_error(text: str, is_json: bool) -> None:
    with contextlib.suppress(LoadError):
        parse_text(text, "f", is_json=is_json)


def test_writer_quotes_what_the_reader_would_not_read_back() -> None:
    """Found by the property test: PyYAML leaves `08` unquoted, which this reader refuses."""
    from dpi_safeguards.store.writer import dump_yaml

    for value in ["08", "on", "no", "1.10", "0012", "1:30", "null", "", "~", "true", "12", "-"]:
        text = dump_yaml({"a": value})
        assert parse_text(text, "f.yaml", is_json=False).data == {"a": value}, text


def test_the_quick_control_byte_check_agrees_with_the_pattern() -> None:
    """decode() rules out control bytes with bytes.translate before it searches with
    the pattern: for every byte value, both say the same, and the error is the same."""
    from dpi_safeguards.store.reader import _FORBIDDEN_BYTES, FORBIDDEN_BYTE_VALUES

    for value in range(256):
        data = b"a: " + bytes([value]) + b"\n"
        assert (len(data.translate(None, FORBIDDEN_BYTE_VALUES)) != len(data)) == (
            _FORBIDDEN_BYTES.search(data) is not None
        ), value
        if _FORBIDDEN_BYTES.search(data) is not None:
            with pytest.raises(LoadError) as caught:
                decode(data, "x.yaml")
            assert (caught.value.code, caught.value.line, caught.value.column) == ("LOAD004", 1, 4)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('{"a": [[1]]}', 3),
        ('{"a": "[[[[", "b": ["]]"]}', 2),
        ('{"a": "x\\\\", "b": [[["]"]]]}', 4),  # an escaped backslash ends no string early
        ('{"a": "say \\"[[\\" twice", "b": {}}', 2),  # an escaped quote ends no string
        ("[" * 40 + "]" * 40, 40),
    ],
)
def test_json_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    from dpi_safeguards.store.json_text import max_bracket_depth

    assert max_bracket_depth(text) == depth
