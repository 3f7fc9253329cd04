"""``releases/feed.xml``: an Atom (RFC 4287) feed of the releases, newest first."""

from __future__ import annotations

from dpi_safeguards.core.text import html_text
from dpi_safeguards.exports.htmlsafe import markdown_to_html
from dpi_safeguards.release.notes import relink

RELEASES_BASE_URL = "https://dpi-safeguards.github.io/framework/releases/"
FEED_ID = "tag:dpi-safeguards.github.io,2024:framework/releases"
FEED_AUTHOR = "Universal DPI Safeguards Framework secretariat"


def _x(text: str) -> str:
    return html_text(text)


def render_feed(
    title: str,
    releases: list[tuple[str, str, str]],
    *,
    base_url: str = RELEASES_BASE_URL,
) -> str:
    """``releases``: (version, date, release notes Markdown), newest first."""
    updated = f"{releases[0][1]}T00:00:00Z" if releases else "1970-01-01T00:00:00Z"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <id>{_x(FEED_ID)}</id>",
        f"  <title>{_x(title)} releases</title>",
        f"  <updated>{updated}</updated>",
        f'  <link rel="self" type="application/atom+xml" href="{_x(base_url + "feed.xml")}"/>',
        f'  <link rel="alternate" type="text/markdown" href="{_x(base_url + "CHANGELOG.md")}"/>',
        f"  <author><name>{_x(FEED_AUTHOR)}</name></author>",
    ]
    for version, date, notes in releases:
        link = f"{base_url}v{version}/"
        out += [
            "  <entry>",
            f"    <id>{_x(FEED_ID)}:v{version}</id>",
            f"    <title>{_x(title)} {version}</title>",
            f"    <updated>{date}T00:00:00Z</updated>",
            f'    <link rel="alternate" href="{_x(link + "RELEASE_NOTES.md")}"/>',
            f'    <link rel="related" type="application/json" href="{_x(link + "changes.json")}"/>',
            f'    <content type="html">{_x(markdown_to_html(relink(notes, link)))}</content>',
            "  </entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out)
