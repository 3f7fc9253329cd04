"""Escaping for every text format the release writes (Markdown, HTML, CSV cells).

Framework texts come from contributors: they are data, never markup. Markdown
special characters are backslash-escaped, HTML is entity-escaped, and a CSV cell a
spreadsheet would run as a formula is prefixed with a single quote.
"""

from __future__ import annotations

import html
import re
import unicodedata

# CommonMark: any ASCII punctuation may be backslash-escaped and then renders as itself.
_MD_INLINE = re.compile(r"([\\`*_\[\]{}<>|~&!#])")
# Characters that start a block (heading, quote, list, rule, table) at a line start.
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|([0-9]+)([.)]))")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, digits, dot = match.groups()
    if marker is not None:
        return f"{indent}\\{marker}"
    return f"{indent}{digits}\\{dot}"


def md_inline(text: str) -> str:
    """Text safe inside a Markdown paragraph or list item: no markup, no raw HTML."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        escaped = _MD_INLINE.sub(r"\\\1", line)
        escaped = _MD_LINE_START.sub(_escape_line_start, escaped)
        lines.append(escaped)
    return "\n".join(lines)


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, line breaks as <br>."""
    lines = [md_inline(line.strip()) for line in text.replace("\r\n", "\n").split("\n")]
    return "<br>".join(line for line in lines if line)


def md_oneline(text: str) -> str:
    """Text safe in a heading or a one-line list item: line breaks become spaces."""
    return md_inline(" ".join(text.split()))


_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
ZWJ = "\u200d"


def defuse_mentions(text: str) -> str:
    """Text GitHub would turn into an @-mention (a notification) gets a zero-width joiner
    after the '@': release notes are posted as a GitHub release body."""
    return _MENTION.sub("@" + ZWJ, text)


# A line start of a text already on one line (md_oneline's: no white space at its start).
_MD_ONELINE_START = re.compile(r"^(?:([#>+\-=])|([0-9]+)([.)]))", re.MULTILINE)


def _escape_oneline_start(match: re.Match[str]) -> str:
    marker, digits, dot = match.groups()
    return f"\\{marker}" if marker is not None else f"{digits}\\{dot}"


def md_oneline_all(texts: list[str]) -> list[str]:
    """``[md_oneline(t) for t in texts]``, each pattern run once over all of them: a
    text on one line holds no line break, so the texts are lines of one string (a
    framework.md of 100,000 practices escapes them process by process)."""
    if not texts:
        return []
    joined = "\n".join([" ".join(text.split()) for text in texts])
    escaped = _MD_ONELINE_START.sub(_escape_oneline_start, _MD_INLINE.sub(r"\\\1", joined))
    return escaped.split("\n")


def md_notes(text: str) -> str:
    """One-line Markdown for release notes: escaped and with @-mentions defused."""
    return defuse_mentions(md_oneline(text))


def html_text(text: str) -> str:
    return html.escape(text, quote=True)


def csv_cell(value: str) -> str:
    """A CSV cell that spreadsheets show as text: formula starts get a leading quote."""
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def normalise_text(text: str) -> str:
    """The form two texts are compared in: NFKC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
