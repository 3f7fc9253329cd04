"""A canvas as one self-contained HTML page, with a Content-Security-Policy that allows
its own style sheet and nothing else."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable

from dpi_safeguards.knowledge.canvas_text import (
    NO_PRACTICE,
    NONE_GIVEN,
    SAFE_URL,
    labels,
    narrowing,
    process_text,
    reference_text,
    selected_text,
)
from dpi_safeguards.knowledge.views import (
    CANVAS_TITLE,
    DIMENSION_LABELS,
    DIMENSIONS,
    CanvasResult,
    ReferenceView,
)

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
    if ref.url and SAFE_URL.fullmatch(ref.url):
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
        + "".join(f"<td>{_h(selected_text(result, d))}</td>" for d in DIMENSIONS)
        + "</tr></tbody></table>",
        f"<p><strong>Total recommendations {result.total}</strong></p>",
    ]
    for rec in result.recommendations:
        out.append(f'<article aria-labelledby="rec-{rec.number}">')
        out.append(f'<h2 id="rec-{rec.number}">Recommendation {rec.number} of {result.total}</h2>')
        out.append("<dl>")
        out.append(f"<dt>Principle</dt><dd>{_h(rec.principle.label)}</dd>")
        out.append(f"<dt>Process recommendation</dt><dd>{_h(process_text(rec))}</dd>")
        out.append(f"<dt>Mitigated risk</dt><dd>{_h(labels(rec.risks) or NONE_GIVEN)}</dd>")
        if rec.practices:
            items = "".join(
                "<li>"
                + _h(f"{p.id} {p.text}{narrowing(p)}")
                + (f" (reference: {_html_refs(p.references)})" if p.references else "")
                + "</li>"
                for p in rec.practices
            )
            out.append(f"<dt>Illustrative practices</dt><dd><ul>{items}</ul></dd>")
        else:
            out.append(f"<dt>Illustrative practices</dt><dd>{_h(NO_PRACTICE)}</dd>")
        out.append(
            f"<dt>Responsible authority</dt><dd>{_h(labels(rec.authorities) or NONE_GIVEN)}</dd>"
        )
        out.append(f"<dt>Life-cycle stage</dt><dd>{_h(labels(rec.stages) or NONE_GIVEN)}</dd>")
        out.append(
            "<dt>Additional resources / reference</dt>"
            f"<dd>{_html_refs(rec.references) or 'n.d.'}</dd>"
        )
        out.append("</dl>")
        out.append("</article>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
