"""The files a country framework's bundle adds to the universal bundle: ``progress.json``
(the status report, country-status.schema.json) and ``site/progress.html``, the same
report as a static page beside the knowledge library. The page is plain HTML with the
library's style sheet: no script, and a Content-Security-Policy that allows nothing but
that style sheet (by hash)."""

from __future__ import annotations

import html

from dpi_safeguards.country.check import CountryCheck
from dpi_safeguards.country.progress import country_status
from dpi_safeguards.exports.site import site_style
from dpi_safeguards.knowledge.canvas_html import csp_hash, html_attr
from dpi_safeguards.models.country import CountryStatus, ProgressRow
from dpi_safeguards.store.writer import dump_json

PROGRESS_JSON = "progress.json"
PROGRESS_PAGE = "site/progress.html"
# The library's style sheet has no tables; the page adds these rules (in the hashed style).
_TABLE_STYLE = (
    "\ntable{border-collapse:collapse;margin:1.5em 0}caption{text-align:left;font-weight:bold}"
    "th,td{border:1px solid #999;padding:.25em .6em;text-align:left}"
    "td:nth-child(n+3){text-align:right}\n"
)
_COLUMNS = ("selected", "tracked", "planned", "in progress", "done", "due")


def progress_files(check: CountryCheck, as_of: str) -> dict[str, bytes]:
    status = country_status(check, as_of)
    return {
        PROGRESS_JSON: dump_json(status.model_dump(mode="json", by_alias=True)).encode(),
        PROGRESS_PAGE: render_progress_page(status).encode(),
    }


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _table(caption: str, rows: list[ProgressRow], total: ProgressRow) -> str:
    head = "".join(f'<th scope="col">{_h(c)}</th>' for c in ("id", "name", *_COLUMNS))
    body = []
    for row in [*rows, total]:
        values = (row.selected, row.tracked, row.planned, row.in_progress, row.done, row.due)
        cells = "".join(f"<td>{v}</td>" for v in values)
        body.append(f'<tr><th scope="row">{_h(row.id)}</th><td>{_h(row.name)}</td>{cells}</tr>')
    return (
        f"<table><caption>{_h(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def render_progress_page(status: CountryStatus) -> str:
    style = site_style() + _TABLE_STYLE
    csp = f"default-src 'none'; style-src {csp_hash(style)}; base-uri 'none'; form-action 'none'"
    title = f"{status.country}: progress"
    due = ", ".join(status.due) if status.due else "nothing"
    sections = "\n".join(
        _table(caption, rows, status.total)
        for caption, rows in (
            ("By principle", status.by_principle),
            ("By risk", status.by_risk),
            ("By stage", status.by_stage),
        )
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html_attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{_h(title)}</title>
<style>{style}</style>
</head>
<body>
<header class="masthead">
<h1>{_h(title)}</h1>
<p>{_h(status.country)} ({_h(status.namespace)}), on the Universal DPI Safeguards Framework \
v{_h(status.upstream)}, as of {_h(status.as_of)}. <a href="index.html">The knowledge \
library</a> lists what applies.</p>
</header>
<main class="progress">
{sections}
<p>Due and not done: {_h(due)}</p>
</main>
</body>
</html>
"""
