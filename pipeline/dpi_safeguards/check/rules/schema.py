"""Turn the model's (= the published JSON Schema's) verdict into located findings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from dpi_safeguards.check.rules.model_fields import fields_at, model_named
from dpi_safeguards.core.findings import Finding, Severity
from dpi_safeguards.core.suggest import did_you_mean
from dpi_safeguards.store.reader import Document, JsonPath

_TYPE_NAMES = {
    str: "a string",
    bool: "a boolean (true/false)",
    int: "a whole number",
    float: "a number",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing (null)",
}
_ID_FIELDS = {"id", "target", "parent", "principle", "replaced_by"}
_DIMENSION_FIELDS = {"risks", "authorities", "stages"}


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{kind} {shown}" if not isinstance(value, (list, dict)) else kind


def json_path_of(data: Any, loc: tuple[int | str, ...]) -> JsonPath:
    """Map pydantic's error location onto the document.

    Pydantic puts the tag of a discriminated union ('add-practice') into the location;
    it is not a key of the document, so it is skipped. A missing key ends the path.
    """
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict):
            if part in current:
                current = current[part]
                path.append(part)
            elif current.get("op") == part:
                continue
            else:
                path.append(part)
                break
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
        else:
            break
    return tuple(path)


def field_label(path: JsonPath) -> str:
    label = ""
    for part in path:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label


def schema_findings(document: Document, error: ValidationError) -> Iterator[Finding]:
    details = [
        (detail, json_path_of(document.data, tuple(detail["loc"])))
        for detail in error.errors(include_url=False)
    ]
    # An empty text where a union also allows a list: "must not be empty" says it all; the
    # other alternative's type error would only confuse.
    empty = {path for detail, path in details if detail["type"] == "string_too_short"}
    for detail, path in details:
        if path in empty and detail["type"] == "list_type":
            continue
        code, message = _explain(detail, path)
        if code == "SCH002":
            message += _field_hint(error.title, detail)
        yield document_finding(document, code, message, path)


def document_finding(document: Document, code: str, message: str, path: JsonPath) -> Finding:
    """An error at ``path`` of ``document``, with its line and column."""
    position = document.locate(path)
    return Finding(
        code=code,
        severity=Severity.ERROR,
        message=message,
        file=document.path,
        line=position[0] if position else None,
        column=position[1] if position else None,
        field=field_label(path) or None,
    )


def _field_hint(model_name: str, detail: Any) -> str:
    """Did-you-mean for a field the model does not have there."""
    model = model_named(model_name)
    if model is None:
        return ""
    location = tuple(detail["loc"])
    allowed = fields_at(model, location)
    hint = did_you_mean(str(location[-1]), allowed)
    return hint or f"; the fields here are {', '.join(sorted(allowed))}"


def _explain(detail: Any, path: JsonPath) -> tuple[str, str]:
    kind: str = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    if kind == "missing":
        return "SCH001", f"the required field '{detail['loc'][-1]}' is missing"
    if kind == "extra_forbidden":
        return "SCH002", f"'{detail['loc'][-1]}' is not a field here"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        allowed = ctx.get("expected_tags") or ctx.get("discriminator")
        return "SCH004", f"'op' must be one of {allowed}; found {describe(value)}"
    if kind == "literal_error" or kind == "enum":
        return "SCH004", f"must be one of {ctx.get('expected')}; found {describe(value)}"
    if kind == "string_pattern_mismatch":
        if last in _ID_FIELDS or (path and isinstance(path[-1], int) and last in _DIMENSION_FIELDS):
            return "IDX001", (
                f"{_show(value)} is not a valid id here; expected the form "
                f"{_pattern_hint(ctx.get('pattern', ''))}{_invisible_hint(value)}"
            )
        return "SCH005", f"{_show(value)} does not have the form {ctx.get('pattern')}"
    if kind == "too_short" and last in _DIMENSION_FIELDS:
        return "IDX005", f"needs at least one {last[:-1] if last != 'authorities' else 'authority'}"
    if kind in ("string_too_long", "too_long"):
        return "SCH005", f"is too long: at most {ctx.get('max_length')} characters or items"
    if kind == "string_too_short":
        return "SCH005", "must not be empty" + ("; fill it in" if value == "" else "")
    if kind == "too_short":
        return "SCH005", f"needs at least {ctx.get('min_length')} item(s)"
    if kind.endswith("_type") or kind in ("model_type", "model_attributes_type"):
        expected = {
            "string_type": "a string (put it in quotes)",
            "bool_type": "true or false",
            "int_type": "a whole number",
            "list_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping of fields",
        }.get(kind, kind.removesuffix("_type"))
        if value is None and not path:
            return "SCH003", f"is an empty file; expected {expected}"
        return "SCH003", f"expected {expected}; found {describe(value)}"
    if kind == "value_error":
        message = str(detail["msg"]).removeprefix("Value error, ")
        return "SCH005", f"{message}; found {describe(value)}"
    return "SCH005", f"{detail['msg']}; found {describe(value)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pattern_hint(pattern: str) -> str:
    examples = {
        "RS|RI|SV": "RS1, RI2 or SV5",
        "[FO][1-9][0-9]{0,5}\\.[1-9][0-9]{0,5}\\.": "F3.1.2 (a practice)",
        "[FO][1-9][0-9]{0,5}\\.": "F3.1 (a process)",
        "(?:[FO]": "F1..F9 or O1..O9 (a principle)",
        "(?:L": "L1..L5 (a life-cycle stage)",
        "(?:R[1": "R1..R5 (a responsible authority)",
        "KPI-": "KPI-PEO-DES-1",
        "REF-": "REF-1",
        "[$]": "$my-new-entry (a placeholder)",
    }
    for needle, hint in examples.items():
        if needle in pattern:
            return hint
    return pattern


_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _invisible_hint(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if _INVISIBLE.search(value):
        return " (it contains white space or an invisible character)"
    if any(not ch.isascii() for ch in value):
        names = sorted({unicodedata.name(ch, hex(ord(ch))) for ch in value if not ch.isascii()})
        return f" (it contains non-ASCII characters: {', '.join(names)})"
    return ""
