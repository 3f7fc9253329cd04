"""A canvas as text, Markdown, CSV, JSON or HTML: the same query gives the same bytes.

The knowledge-library page (``exports/site_assets/site.js``) builds its CSV and Markdown
downloads with the same rules; a browser test checks they are byte-for-byte equal, so a
change here needs the same change there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from dpi_safeguards.core.choices import CANVAS_FORMATS
from dpi_safeguards.knowledge.canvas_html import to_html
from dpi_safeguards.knowledge.canvas_text import (
    LIST_SEPARATOR,
    NO_PRACTICE,
    NONE_GIVEN,
    SAFE_URL,
    ids,
    labels,
    names,
    narrowing,
    practice_line,
    process_text,
    references_text,
    selected_text,
    trailing_fields,
)
from dpi_safeguards.knowledge.views import (
    CANVAS_TITLE,
    DIMENSION_LABELS,
    DIMENSIONS,
    CanvasResult,
    Named,
    ReferenceView,
)
from dpi_safeguards.store.writer import dump_json

FORMATS = CANVAS_FORMATS


CSV_COLUMNS = (
    "recommendation",
    "principle_id",
    "principle",
    "process_id",
    "process_recommendation",
    "risk_ids",
    "risks",
    "authority_ids",
    "authorities",
    "stage_ids",
    "stages",
    "references",
    "practice_id",
    "practice",
    "practice_authority_ids",
    "practice_stage_ids",
    "practice_references",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Control characters (but tab and line feed) would drive a terminal: shown as U+FFFD.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def render(result: CanvasResult, fmt: str) -> str:
    renderers: dict[str, Callable[[CanvasResult], str]] = {
        "text": to_text,
        "md": to_markdown,
        "csv": to_csv,
        "json": to_json,
        "html": to_html,
    }
    return renderers[fmt](result)


# ---- text --------------------------------------------------------------------------------


def _indent(text: str, prefix: str) -> str:
    return _LINE_BREAK.sub("\n" + prefix, text)


def to_text(result: CanvasResult) -> str:
    out = [CANVAS_TITLE, "", "Selected dimensions"]
    width = max(len(label) for label in DIMENSION_LABELS.values()) + 1
    for dim in DIMENSIONS:
        out.append(f"  {(DIMENSION_LABELS[dim] + ':').ljust(width)} {selected_text(result, dim)}")
    out += ["", f"Total recommendations {result.total}"]
    pad = " " * 4
    for rec in result.recommendations:
        out += ["", f"Recommendation {rec.number} of {result.total}"]
        out.append(f"  Principle: {rec.principle.label}")
        out.append(f"  Process recommendation: {_indent(process_text(rec), pad)}")
        out.append(f"  Mitigated risk: {labels(rec.risks) or NONE_GIVEN}")
        out.append("  Illustrative practices:" + ("" if rec.practices else f" {NO_PRACTICE}"))
        out += [f"    - {_indent(practice_line(p), pad + '  ')}" for p in rec.practices]
        out += [f"  {label}: {_indent(value, pad)}" for label, value in trailing_fields(rec)]
    return _TERMINAL_CONTROL.sub("\ufffd", "\n".join(out) + "\n")


# ---- Markdown ----------------------------------------------------------------------------


def md_inline(text: str) -> str:
    """Markdown-safe inline text: punctuation that could start markup (including | of
    table cells and < of HTML) is backslash-escaped; line breaks become <br>."""
    return _LINE_BREAK.sub("<br>", _MD_SPECIAL.sub(r"\\\1", text))


def _md_reference(ref: ReferenceView) -> str:
    title = md_inline(ref.title)
    if ref.url and SAFE_URL.fullmatch(ref.url):
        return f"{title} <{ref.url}>"
    if ref.url:
        return f"{title} ({md_inline(ref.url)})"
    return title


def _md_references(refs: Iterable[ReferenceView]) -> str:
    return LIST_SEPARATOR.join(_md_reference(r) for r in refs)


def to_markdown(result: CanvasResult) -> str:
    out = [f"# {CANVAS_TITLE}", "", "## Selected dimensions", ""]
    out.append("| " + " | ".join(DIMENSION_LABELS[d] for d in DIMENSIONS) + " |")
    out.append("|" + " --- |" * len(DIMENSIONS))
    out.append("| " + " | ".join(md_inline(selected_text(result, d)) for d in DIMENSIONS) + " |")
    out += ["", f"**Total recommendations {result.total}**"]
    for rec in result.recommendations:
        out += ["", f"## Recommendation {rec.number} of {result.total}", ""]
        out.append(f"- **Principle:** {md_inline(rec.principle.label)}")
        out.append(f"- **Process recommendation:** {md_inline(process_text(rec))}")
        out.append(f"- **Mitigated risk:** {md_inline(labels(rec.risks) or NONE_GIVEN)}")
        if rec.practices:
            out.append("- **Illustrative practices:**")
            for p in rec.practices:
                refs = _md_references(p.references)
                extra = f" (reference: {refs})" if refs else ""
                line = md_inline(f"{p.id} {p.text}{narrowing(p)}") + extra
                out.append(f"  - {line}")
        else:
            out.append(f"- **Illustrative practices:** {NO_PRACTICE}")
        authorities = labels(rec.authorities) or NONE_GIVEN
        out.append(f"- **Responsible authority:** {md_inline(authorities)}")
        out.append(f"- **Life-cycle stage:** {md_inline(labels(rec.stages) or NONE_GIVEN)}")
        refs = _md_references(rec.references) or "n.d."
        out.append(f"- **Additional resources / reference:** {refs}")
    return "\n".join(out) + "\n"


# ---- CSV ---------------------------------------------------------------------------------


def csv_cell(value: str) -> str:
    """One RFC 4180 field, always quoted; a value a spreadsheet would read as a formula
    (starting with = + - @ tab or CR) gets a leading single quote."""
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def csv_rows(result: CanvasResult) -> list[list[str]]:
    """One row per recommendation-practice pair; a recommendation without a matching
    practice gives one row with empty practice cells."""
    rows: list[list[str]] = [list(CSV_COLUMNS)]
    for rec in result.recommendations:
        head = [
            str(rec.number),
            rec.principle.id,
            rec.principle.name,
            rec.process_id,
            rec.text or "",
            ids(rec.risks),
            names(rec.risks),
            ids(rec.authorities),
            names(rec.authorities),
            ids(rec.stages),
            names(rec.stages),
            references_text(rec.references),
        ]
        if not rec.practices:
            rows.append([*head, "", "", "", "", ""])
        for p in rec.practices:
            rows.append(
                [
                    *head,
                    p.id,
                    p.text,
                    ids(p.authorities),
                    ids(p.stages),
                    references_text(p.references),
                ]
            )
    return rows


def to_csv(result: CanvasResult) -> str:
    return "".join(",".join(csv_cell(c) for c in row) + "\r\n" for row in csv_rows(result))


# ---- JSON --------------------------------------------------------------------------------


def _named_data(values: Iterable[Named]) -> list[dict[str, str]]:
    return [{"id": v.id, "name": v.name} for v in values]


def _refs_data(refs: Iterable[ReferenceView]) -> list[dict[str, str | None]]:
    return [{"id": r.id, "title": r.title, "url": r.url} for r in refs]


def canvas_data(result: CanvasResult) -> dict[str, object]:
    return {
        "format": "safeguards-canvas",
        "format_version": 1,
        "title": CANVAS_TITLE,
        "selection": {d: _named_data(result.selection.values(d)) for d in DIMENSIONS},
        "total": result.total,
        "recommendations": [
            {
                "number": rec.number,
                "principle": {"id": rec.principle.id, "name": rec.principle.name},
                "process": {"id": rec.process_id, "text": rec.text},
                "risks": _named_data(rec.risks),
                "authorities": _named_data(rec.authorities),
                "stages": _named_data(rec.stages),
                "references": _refs_data(rec.references),
                "practices": [
                    {
                        "id": p.id,
                        "text": p.text,
                        "authorities": _named_data(p.authorities),
                        "stages": _named_data(p.stages),
                        "narrows": [
                            name
                            for name, flag in (
                                ("authorities", p.narrowed_authorities),
                                ("stages", p.narrowed_stages),
                            )
                            if flag
                        ],
                        "references": _refs_data(p.references),
                    }
                    for p in rec.practices
                ],
            }
            for rec in result.recommendations
        ],
    }


def to_json(result: CanvasResult) -> str:

    return dump_json(canvas_data(result))
