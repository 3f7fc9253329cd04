"""Markdown to HTML for contributed text: escaped raw HTML, only http(s)/mailto links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import mistune

from dpi_safeguards.core.text import html_text

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_url(url: str) -> str | None:
    """The URL if its scheme is http, https or mailto (or it is relative), else None."""
    cleaned = "".join(ch for ch in url if ch > " ").strip()
    scheme = urlsplit(cleaned).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        return None
    if not scheme and ":" in cleaned.split("/", 1)[0]:
        return None
    return url


class SafeRenderer(mistune.HTMLRenderer):
    """Drops raw HTML (it is escaped as text) and unsafe links and images."""

    def __init__(self) -> None:
        super().__init__(escape=True)

    def link(self, text: str, url: str, title: str | None = None) -> str:
        if safe_url(url) is None:
            return str(text)
        result: str = super().link(text, url, title)
        return result

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return html_text(text)

    def inline_html(self, html: str) -> str:
        return html_text(html)

    def block_html(self, html: str) -> str:
        return "<p>" + html_text(html) + "</p>\n"


def markdown_to_html(text: str) -> str:
    """Render Markdown as safe HTML (tables enabled, raw HTML escaped)."""
    render: Any = mistune.create_markdown(
        renderer=SafeRenderer(), escape=True, plugins=["table", "strikethrough"]
    )
    return str(render(text))
