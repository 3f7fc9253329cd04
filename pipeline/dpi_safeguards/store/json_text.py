"""JSON text read safely: duplicate keys and non-finite numbers refused, nesting bounded,
and the place of one value found without building every position."""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.scanner import make_scanner
from typing import Any

from dpi_safeguards.store.errors import MAX_DEPTH, JsonPath, LoadError


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a key seen twice leaves it shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _JsonDuplicateKey(key)
            seen.add(key)
    return result


class _JsonDuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_JSON_DECODER: list[json.JSONDecoder] = []  # made on first use


def _json_decoder() -> json.JSONDecoder:
    """One decoder for every file (json.loads with options builds a new one per call)."""
    if not _JSON_DECODER:
        _JSON_DECODER.append(
            json.JSONDecoder(object_pairs_hook=_json_object, parse_constant=_reject_constant)
        )
    return _JSON_DECODER[0]


def parse_json(text: str, path: str) -> Any:
    # Nesting can only pass the limit if there are more opening brackets than the limit.
    depth = max_bracket_depth(text) if text.count("[") + text.count("{") > MAX_DEPTH else 0
    if depth > MAX_DEPTH:
        raise LoadError("LOAD009", path, f"nests {depth} levels deep; at most {MAX_DEPTH}")
    try:
        return _json_decoder().decode(text)
    except _JsonDuplicateKey as exc:
        line = _find_key_line(text, exc.key)
        raise LoadError(
            "LOAD006", path, f"has the key '{exc.key}' twice; each key may appear once", line, None
        ) from None
    except json.JSONDecodeError as exc:
        raise LoadError(
            "LOAD005", path, f"is not valid JSON: {exc.msg}", exc.lineno, exc.colno
        ) from None
    except ValueError as exc:
        raise LoadError("LOAD010", path, str(exc)) from None
    except RecursionError:
        raise LoadError("LOAD009", path, f"nests too deep; at most {MAX_DEPTH} levels") from None


# Where libyaml starts a new line (positions are those the YAML reader gives), and the
# breaks other than LF that a text rarely holds.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RARE_BREAK = re.compile("[\r\x85\u2028\u2029]")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_SCANNER: list[Any] = []  # made on first use


def json_value_offset(text: str, path: JsonPath) -> int | None:
    """Offset of the value at ``path`` in a JSON text known to parse, or of its nearest
    parent (None: the top value is not a container, as the YAML reader says). Values
    before it are skipped by the json module's scanner."""

    if not _JSON_SCANNER:
        _JSON_SCANNER.append(make_scanner(json.JSONDecoder()))  # type: ignore[arg-type]
    skip = _JSON_SCANNER[0]
    space = _past_space
    at = space(text, 0)
    if text[at] not in "{[":
        return None
    for step in path:
        start = at
        if text[at] == "{" and isinstance(step, str):
            at = space(text, at + 1)
            while text[at] == '"':
                key, at = scanstring(text, at + 1)
                at = space(text, space(text, at) + 1)  # past the colon
                if key == step:
                    break
                at = space(text, skip(text, at)[1])
                if text[at] == ",":
                    at = space(text, at + 1)
            else:
                return start
        elif text[at] == "[" and isinstance(step, int) and step >= 0:
            at = space(text, at + 1)
            if text[at] == "]":
                return start
            for _ in range(step):
                at = space(text, skip(text, at)[1])
                if text[at] != ",":
                    return start
                at = space(text, at + 1)
        else:
            return start
    return at


def _past_space(text: str, at: int) -> int:
    found = _JSON_SPACE.match(text, at)
    return found.end() if found else at


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of an offset, lines broken as libyaml
    breaks them."""
    if _RARE_BREAK.search(text, 0, offset) is None:
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


# A JSON string (skipped whole: brackets in a text are not nesting) or a bracket.
_JSON_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def max_bracket_depth(text: str) -> int:
    """How deep the JSON text's arrays and objects nest (brackets inside strings are
    text: they used to count, and a text holding 40 "[" was refused as too deep)."""
    depth = best = 0
    for match in _JSON_BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            best = max(best, depth)
        elif char in "]}":
            depth -= 1
    return best


def _find_key_line(text: str, key: str) -> int | None:
    needle = json.dumps(key)
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[1] if len(lines) > 1 else (lines[0] if lines else None)
