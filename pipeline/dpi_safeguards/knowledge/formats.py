"""A canvas as text, Markdown, CSV, JSON or HTML: the same query gives the same bytes.

The knowledge-library page (``exports/site_assets/site.js``) builds its CSV and Markdown
downloads with the same rules; a browser test checks they are byte-for-byte equal, so a
change here needs the same change there.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable, Iterable

from dpi_safeguards.knowledge.views import (
    CANVAS_TITLE,
    DIMENSION_LABELS,
    DIMENSIONS,
    TEXT_GAP,
    CanvasResult,
    Named,
    PracticeView,
    Recommendation,
    ReferenceView,
)
from dpi_safeguards.store.writer import dump_json

FORMATS = ("text", "md", "csv", "json", "html")

ANY = "Any"
NONE_GIVEN = "(not given in the sources)"
NO_PRACTICE = "None for this selection."

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
LIST_SEPARATOR = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A URL shown as a link: http(s) and RFC 3986 characters only (the same class in site.js).
_SAFE_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+")
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


# ---- shared pieces -----------------------------------------------------------------------


def _labels(values: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(v.label for v in values)


def _ids(values: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(v.id for v in values)


def _names(values: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(v.name for v in values)


def reference_text(ref: ReferenceView) -> str:
    return f"{ref.title} ({ref.url})" if ref.url else ref.title


def _references(refs: Iterable[ReferenceView]) -> str:
    return LIST_SEPARATOR.join(reference_text(r) for r in refs)


def _selected(result: CanvasResult, dimension: str) -> str:
    return _labels(result.selection.values(dimension)) or ANY


def _process_text(rec: Recommendation) -> str:
    return f"{rec.process_id} {rec.text if rec.text is not None else TEXT_GAP}"


def _narrowing(practice: PracticeView) -> str:
    """' (responsible authority: R1 Government)' for a practice narrowing its process."""
    parts = []
    if practice.narrowed_authorities:
        parts.append(f"{DIMENSION_LABELS['authority'].lower()}: {_labels(practice.authorities)}")
    if practice.narrowed_stages:
        parts.append(f"{DIMENSION_LABELS['stage'].lower()}: {_labels(practice.stages)}")
    return f" (only for {'; '.join(parts)})" if parts else ""


def _fields(rec: Recommendation) -> list[tuple[str, str]]:
    """The recommendation's fields after its practices, in the Guide's order."""
    return [
        ("Responsible authority", _labels(rec.authorities) or NONE_GIVEN),
        ("Life-cycle stage", _labels(rec.stages) or NONE_GIVEN),
        ("Additional resources / reference", _references(rec.references) or "n.d."),
    ]


def _practice_line(practice: PracticeView) -> str:
    refs = _references(practice.references)
    extra = f" (reference: {refs})" if refs else ""
    return f"{practice.id} {practice.text}{_narrowing(practice)}{extra}"


# ---- text --------------------------------------------------------------------------------


def _indent(text: str, prefix: str) -> str:
    return _LINE_BREAK.sub("\n" + prefix, text)


def to_text(result: CanvasResult) -> str:
    out = [CANVAS_TITLE, "", "Selected dimensions"]
    width = max(len(label) for label in DIMENSION_LABELS.values()) + 1
    for dim in DIMENSIONS:
        out.append(f"  {(DIMENSION_LABELS[dim] + ':').ljust(width)} {_selected(result, dim)}")
    out += ["", f"Total recommendations {result.total}"]
    pad = " " * 4
    for rec in result.recommendations:
        out += ["", f"Recommendation {rec.number} of {result.total}"]
        out.append(f"  Principle: {rec.principle.label}")
        out.append(f"  Process recommendation: {_indent(_process_text(rec), pad)}")
        out.append(f"  Mitigated risk: {_labels(rec.risks) or NONE_GIVEN}")
        out.append("  Illustrative practices:" + ("" if rec.practices else f" {NO_PRACTICE}"))
        out += [f"    - {_indent(_practice_line(p), pad + '  ')}" for p in rec.practices]
        out += [f"  {label}: {_indent(value, pad)}" for label, value in _fields(rec)]
    return _TERMINAL_CONTROL.sub("\ufffd", "\n".join(out) + "\n")


# ---- Markdown ----------------------------------------------------------------------------


def md_inline(text: str) -> str:
    """Markdown-safe inline text: punctuation that could start markup (including | of
    table cells and < of HTML) is backslash-escaped; line breaks become <br>."""
    return _LINE_BREAK.sub("<br>", _MD_SPECIAL.sub(r"\\\1", text))


def _md_reference(ref: ReferenceView) -> str:
    title = md_inline(ref.title)
    if ref.url and _SAFE_URL.fullmatch(ref.url):
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
    out.append("| " + " | ".join(md_inline(_selected(result, d)) for d in DIMENSIONS) + " |")
    out += ["", f"**Total recommendations {result.total}**"]
    for rec in result.recommendations:
        out += ["", f"## Recommendation {rec.number} of {result.total}", ""]
        out.append(f"- **Principle:** {md_inline(rec.principle.label)}")
        out.append(f"- **Process recommendation:** {md_inline(_process_text(rec))}")
        out.append(f"- **Mitigated risk:** {md_inline(_labels(rec.risks) or NONE_GIVEN)}")
        if rec.practices:
            out.append("- **Illustrative practices:**")
            for p in rec.practices:
                refs = _md_references(p.references)
                extra = f" (reference: {refs})" if refs else ""
                line = md_inline(f"{p.id} {p.text}{_narrowing(p)}") + extra
                out.append(f"  - {line}")
        else:
            out.append(f"- **Illustrative practices:** {NO_PRACTICE}")
        authorities = _labels(rec.authorities) or NONE_GIVEN
        out.append(f"- **Responsible authority:** {md_inline(authorities)}")
        out.append(f"- **Life-cycle stage:** {md_inline(_labels(rec.stages) or NONE_GIVEN)}")
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
            _ids(rec.risks),
            _names(rec.risks),
            _ids(rec.authorities),
            _names(rec.authorities),
            _ids(rec.stages),
            _names(rec.stages),
            _references(rec.references),
        ]
        if not rec.practices:
            rows.append([*head, "", "", "", "", ""])
        for p in rec.practices:
            rows.append(
                [
                    *head,
                    p.id,
                    p.text,
                    _ids(p.authorities),
                    _ids(p.stages),
                    _references(p.references),
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


# ---- HTML --------------------------------------------------------------------------------

HTML_CSS = """\
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:60rem;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #c8c8c8;padding:.35rem .5rem;text-align:left;vertical-align:top}
article{border:1px solid #c8c8c8;border-left:.4rem solid #1f5fa8;border-radius:.3rem;
padding:.5rem 1rem;margin:1rem 0}
dt{font-weight:700;margin-top:.4rem}dd{margin:0 0 0 1rem;white-space:pre-line}
@media (max-width:40rem){body{padding:.5rem}th,td{display:block}}
"""


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def html_attr(text: str) -> str:
    """An attribute value in double quotes: & < > " escaped, ' kept (readable CSP)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _html_ref(ref: ReferenceView) -> str:
    if ref.url and _SAFE_URL.fullmatch(ref.url):
        return f'<a href="{_h(ref.url)}">{_h(ref.title)}</a>'
    return _h(reference_text(ref))


def _html_refs(refs: Iterable[ReferenceView]) -> str:
    return "; ".join(_html_ref(r) for r in refs)


def to_html(result: CanvasResult) -> str:
    csp = f"default-src 'none'; style-src {csp_hash(HTML_CSS)}; base-uri 'none'; form-action 'none'"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html_attr(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(CANVAS_TITLE)}</title>",
        f"<style>{HTML_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_h(CANVAS_TITLE)}</h1>",
        "<h2>Selected dimensions</h2>",
        "<table><thead><tr>"
        + "".join(f'<th scope="col">{_h(DIMENSION_LABELS[d])}</th>' for d in DIMENSIONS)
        + "</tr></thead><tbody><tr>"
        + "".join(f"<td>{_h(_selected(result, d))}</td>" for d in DIMENSIONS)
        + "</tr></tbody></table>",
        f"<p><strong>Total recommendations {result.total}</strong></p>",
    ]
    for rec in result.recommendations:
        out.append(f'<article aria-labelledby="rec-{rec.number}">')
        out.append(f'<h2 id="rec-{rec.number}">Recommendation {rec.number} of {result.total}</h2>')
        out.append("<dl>")
        out.append(f"<dt>Principle</dt><dd>{_h(rec.principle.label)}</dd>")
        out.append(f"<dt>Process recommendation</dt><dd>{_h(_process_text(rec))}</dd>")
        out.append(f"<dt>Mitigated risk</dt><dd>{_h(_labels(rec.risks) or NONE_GIVEN)}</dd>")
        if rec.practices:
            items = "".join(
                "<li>"
                + _h(f"{p.id} {p.text}{_narrowing(p)}")
                + (f" (reference: {_html_refs(p.references)})" if p.references else "")
                + "</li>"
                for p in rec.practices
            )
            out.append(f"<dt>Illustrative practices</dt><dd><ul>{items}</ul></dd>")
        else:
            out.append(f"<dt>Illustrative practices</dt><dd>{_h(NO_PRACTICE)}</dd>")
        out.append(
            f"<dt>Responsible authority</dt><dd>{_h(_labels(rec.authorities) or NONE_GIVEN)}</dd>"
        )
        out.append(f"<dt>Life-cycle stage</dt><dd>{_h(_labels(rec.stages) or NONE_GIVEN)}</dd>")
        out.append(
            "<dt>Additional resources / reference</dt>"
            f"<dd>{_html_refs(rec.references) or 'n.d.'}</dd>"
        )
        out.append("</dl>")
        out.append("</article>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
