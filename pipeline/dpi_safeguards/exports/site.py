"""The knowledge library: one self-contained, offline HTML page (``index.html``).

The page embeds the framework's active entries as JSON in a ``<script
type="application/json">`` block and runs the canvas query in the browser with the rules
of :mod:`dpi_safeguards.knowledge.canvas`; its CSV and Markdown downloads follow
:mod:`dpi_safeguards.knowledge.formats` byte for byte. No CDN, no font, no request: a
Content-Security-Policy with ``default-src 'none'`` and hashes of the inline script and
style (computed here) makes sure of it. No click, no printing here: the ``site`` command
and the release bundle both call :func:`build_site`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dpi_safeguards.core.ids import sorted_ids
from dpi_safeguards.core.site_texts import SITE_TEXTS
from dpi_safeguards.knowledge.canvas import CanvasIndex
from dpi_safeguards.knowledge.canvas_html import csp_hash, html_attr
from dpi_safeguards.knowledge.canvas_text import ANY, NO_PRACTICE, NONE_GIVEN
from dpi_safeguards.knowledge.formats import CSV_COLUMNS
from dpi_safeguards.knowledge.views import CANVAS_TITLE, DIMENSION_LABELS, DIMENSIONS, TEXT_GAP
from dpi_safeguards.store.writer import atomic_write, compact_json, output_folder

if TYPE_CHECKING:
    from dpi_safeguards.models.framework import Framework

DEFAULT_TITLE = "Universal DPI Safeguards Knowledge Library"
SITE_FILE = "index.html"
DATA_FORMAT_VERSION = 1


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switch."""

    tag: str  # BCP 47 (pt-BR)
    name: str  # in the language itself
    href: str  # relative to the page
    current: bool = False


@dataclass(frozen=True)
class SitePage:
    """The language a page is in. The default is the English page without a switch, whose
    bytes are those of a site built before there were translations."""

    tag: str = "en"
    direction: str = "ltr"
    links: tuple[LanguageLink, ...] = ()
    # A translated page: the texts it gives in English ("<id>:<field>"), and the
    # language's word for English to mark them with.
    translated: bool = False
    fallbacks: tuple[str, ...] = ()
    english: str = "English"
    # The page's own words (core.site_texts keys), translated where the catalogue has them.
    texts: Mapping[str, str] = field(default_factory=lambda: dict(SITE_TEXTS))


def _language_switch(links: tuple[LanguageLink, ...], label: str) -> str:
    if not links:
        return ""
    items = []
    for link in links:
        current = ' aria-current="page"' if link.current else ""
        items.append(
            f'<li><a href="{html.escape(link.href, quote=True)}" '
            f'hreflang="{html.escape(link.tag, quote=True)}" '
            f'lang="{html.escape(link.tag, quote=True)}"{current}>'
            f"{html.escape(link.name)}</a></li>"
        )
    label_attr = html.escape(label, quote=True)
    return f'\n<nav class="languages" aria-label="{label_attr}"><ul>{"".join(items)}</ul></nav>'


def _asset(name: str) -> str:
    asset = resources.files("dpi_safeguards.exports").joinpath("site_assets", name)
    return asset.read_text(encoding="utf-8")


def site_data(fw: Framework, index: CanvasIndex | None = None) -> dict[str, Any]:
    """What the page needs, already filtered to active entries and in natural order."""
    idx = index if index is not None else CanvasIndex(fw)
    references: dict[str, list[str | None]] = {}
    processes: list[dict[str, Any]] = []

    def refs(ids: tuple[str, ...]) -> list[str]:
        for ref_id in ids:
            ref = fw.references[ref_id]
            references[ref_id] = [ref.title, ref.url]
        return list(ids)

    for facts in idx.processes.values():
        practices = [
            {
                "id": q.id,
                "text": q.text,
                "authorities": list(q.own_authorities),
                "stages": list(q.own_stages),
                "references": refs(q.references),
            }
            for q in facts.practices
        ]
        processes.append(
            {
                "id": facts.id,
                "principle": facts.principle,
                "text": facts.text,
                "risks": list(facts.risks),
                "authorities": list(facts.authorities),
                "stages": list(facts.stages),
                "references": refs(facts.references),
                "practices": practices,
            }
        )
    return {
        "format_version": DATA_FORMAT_VERSION,
        "framework": fw.metadata.title,
        "strings": {
            "canvasTitle": CANVAS_TITLE,
            "any": ANY,
            "noneGiven": NONE_GIVEN,
            "noPractice": NO_PRACTICE,
            "textGap": TEXT_GAP,
            "csvColumns": list(CSV_COLUMNS),
        },
        "dimensions": [
            {
                "key": dim,
                "label": DIMENSION_LABELS[dim],
                "values": [[n.id, n.name] for n in idx.choices[dim]],
            }
            for dim in DIMENSIONS
        ],
        "references": {k: references[k] for k in sorted_ids(references)},
        "processes": processes,
    }


def embed_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' appears raw, so
    neither '</script>' nor '<!--' in the data can end or alter the block."""
    text = compact_json(data)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def site_style() -> str:
    """The library's style sheet (a country bundle's progress page uses it too)."""
    return _asset("site.css")


def render_site(fw: Framework, *, title: str = DEFAULT_TITLE, page: SitePage | None = None) -> str:
    """The page's text: the same framework, title and page always give the same bytes."""
    page = page or SitePage()
    script = _asset("site.js")
    style = site_style()
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {csp_hash(script)}",
            f"style-src {csp_hash(style)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    t = html.escape(title, quote=True)
    framework_title = html.escape(fw.metadata.title, quote=True)
    data = site_data(fw)
    texts = {**SITE_TEXTS, **page.texts}
    data["ui"] = texts
    if page.translated:
        data["translation"] = {
            "language": page.tag,
            "english": page.english,
            "fallbacks": list(page.fallbacks),
        }
    words = {f"t_{key}": html.escape(value, quote=False) for key, value in texts.items()}
    words["t_intro"] = html.escape(texts["intro"], quote=False).replace(
        "{framework}", framework_title
    )
    return _asset("index.html.in").format(
        lang=html.escape(page.tag, quote=True),
        dir=' dir="rtl"' if page.direction == "rtl" else "",
        languages=_language_switch(page.links, texts["languages"]),
        title=t,
        **words,
        csp=html_attr(csp),
        style=style,
        script=script,
        data=embed_json(data),
    )


def build_site(
    fw: Framework, out_dir: Path, *, title: str = DEFAULT_TITLE, page: SitePage | None = None
) -> Path:
    """Write the knowledge library into ``out_dir``; returns the page's path."""

    target = output_folder(out_dir) / SITE_FILE
    atomic_write(target, render_site(fw, title=title, page=page))
    return target
