"""Reading a submitted issue form.

GitHub renders a submitted issue form as Markdown: each field is a ``### <label>`` heading
followed by its value, ``_No response_`` for an empty optional field, ticked checkboxes as
``- [X] text``, and a multiple-choice dropdown as comma-separated option labels. The body
is parsed with mistune's AST (never with regular expressions over the Markdown) into its
sections, keyed by the form's labels; every problem is reported under the label the
contributor saw in the form, so a bot can answer them in their own terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mistune

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.models.contribution import Contribution

# The labels of the "Propose a practice" issue form (.github/ISSUE_TEMPLATE/propose-practice.yml).
# A test checks that the form and this list agree.
WHERE = "Process or principle"
TEXT = "Proposed text"
AUTHORITIES = "Responsible authorities"
STAGES = "Life-cycle stages"
RISKS = "Risks it mitigates"
REFERENCES = "References"
WHY = "Why it matters"
SOURCE = "Source of the text"
NAME = "Your name"
AFFILIATION = "Affiliation"
OTHERS = "Other contributors"
CONSENT = "Licence consent"
FORM_LABELS: tuple[str, ...] = (
    WHERE,
    TEXT,
    AUTHORITIES,
    STAGES,
    RISKS,
    REFERENCES,
    WHY,
    SOURCE,
    NAME,
    AFFILIATION,
    OTHERS,
    CONSENT,
)
REQUIRED_LABELS = frozenset({WHERE, TEXT, NAME, CONSENT})
# Values that do not come from the body but from the issue itself (passed by the workflow).
ISSUE_TITLE = "Issue title"
ISSUE_AUTHOR = "Issue author"

NO_RESPONSE = "No response"
MAX_BODY_CHARS = 262_144  # GitHub caps an issue body at 65,536 characters; be generous
TITLE_PREFIXES = ("[practice]:", "[practice]", "practice:")
DEFAULT_REFERENCE_KIND = "reference"
URL_PATTERN = re.compile(r"https?://\S+", re.IGNORECASE)
ID_TOKEN = re.compile(r"[A-Za-z]{1,3}[0-9]+(?:\.[0-9]+){0,2}")


@dataclass(frozen=True)
class Problem:
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


def _form_order(problem: Problem) -> int:
    return FORM_LABELS.index(problem.label) if problem.label in FORM_LABELS else -1


class IntakeError(SafeguardsError):
    """The form cannot become a contribution; ``problems`` lists every reason, in the
    order of the form's fields."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=_form_order)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class IntakeResult:
    contribution: Contribution
    text: str  # the canonical YAML
    path: Path | None  # where it was written (None: not written)
    warnings: list[Problem] = field(default_factory=list)


# --- Markdown -> sections ----------------------------------------------------------------


def normalise_body(text: str) -> str:
    """LF line endings, no BOM: GitHub sends issue bodies with CRLF."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_markdown(text: str) -> list[dict[str, Any]]:

    markdown = mistune.create_markdown(renderer=None, plugins=["task_lists"])
    tokens: list[dict[str, Any]] = markdown(text)  # type: ignore[assignment]
    return tokens


def label_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


_KNOWN = {label_key(label): label for label in FORM_LABELS}


def split_sections(
    tokens: Iterable[dict[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], list[Problem]]:
    """Top-level ``### label`` headings of the form's labels start a field; anything else
    (including other headings a contributor typed into a text box) belongs to the field
    it is in."""
    sections: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    current: list[dict[str, Any]] | None = None
    for token in tokens:
        if token["type"] == "heading" and token.get("attrs", {}).get("level") == 3:
            label = _KNOWN.get(label_key(inline_text(token.get("children", []))))
            if label is not None:
                if label in sections:
                    problems.append(
                        Problem(label, "appears more than once in the issue; keep only one")
                    )
                    current = []  # the repeat is ignored
                else:
                    current = sections[label] = []
                continue
        if current is not None and token["type"] != "blank_line":
            current.append(token)
    return sections, problems


def inline_text(children: Iterable[dict[str, Any]], *, breaks: str = " ") -> str:
    """The text a reader sees, markup removed; a link keeps its address."""
    out: list[str] = []
    for child in children:
        kind = child["type"]
        if kind == "codespan":
            out.append(f"`{child.get('raw', '')}`")
        elif kind in ("text", "inline_html", "block_html"):
            out.append(child.get("raw", ""))
        elif kind == "softbreak":
            out.append(breaks)
        elif kind == "linebreak":
            out.append("\n")
        elif kind == "link":
            label = inline_text(child.get("children", []), breaks=breaks)
            url = child.get("attrs", {}).get("url", "")
            out.append(label if not url or label == url else f"{label} ({url})")
        elif kind == "image":
            out.append(inline_text(child.get("children", []), breaks=breaks))
        else:
            out.append(inline_text(child.get("children", []), breaks=breaks))
    return "".join(out)


def block_text(tokens: Iterable[dict[str, Any]]) -> str:
    """Blocks as plain text: paragraphs separated by a blank line, lists one item a line."""
    parts: list[str] = []
    for token in tokens:
        kind = token["type"]
        if kind == "blank_line":
            continue
        if kind in ("paragraph", "block_text", "heading"):
            parts.append(inline_text(token.get("children", [])).strip())
        elif kind == "list":
            lines = []
            for item in token.get("children", []):
                mark = ""
                if item["type"] == "task_list_item":
                    mark = "[x] " if item.get("attrs", {}).get("checked") else "[ ] "
                lines.append("- " + mark + block_text(item.get("children", [])))
            parts.append("\n".join(lines))
        elif kind in ("block_code", "block_html"):
            parts.append(str(token.get("raw", "")).strip("\n"))
        elif kind == "block_quote":
            parts.append(block_text(token.get("children", [])))
        elif kind == "thematic_break":
            continue
        else:
            parts.append(block_text(token.get("children", [])))
    return "\n\n".join(p for p in parts if p)


def is_no_response(tokens: Sequence[dict[str, Any]]) -> bool:
    if not tokens:
        return True
    if len(tokens) != 1 or tokens[0]["type"] != "paragraph":
        return False
    children = tokens[0].get("children", [])
    return (
        len(children) == 1
        and children[0]["type"] == "emphasis"
        and inline_text(children[0].get("children", [])).strip() == NO_RESPONSE
    )


def item_lines(tokens: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One entry per list item or per line of a paragraph, as inline tokens."""
    lines: list[list[dict[str, Any]]] = []
    for token in tokens:
        if token["type"] == "list":
            for item in token.get("children", []):
                inline: list[dict[str, Any]] = []
                for block in item.get("children", []):
                    inline += block.get("children", []) or [block]
                lines.append(inline)
        elif token["type"] in ("paragraph", "block_text"):
            current: list[dict[str, Any]] = []
            for child in token.get("children", []):
                if child["type"] in ("softbreak", "linebreak"):
                    lines.append(current)
                    current = []
                else:
                    current.append(child)
            lines.append(current)
        else:
            lines.append([{"type": "text", "raw": block_text([token])}])
    return [line for line in lines if inline_text(line).strip()]


# --- sections -> contribution data ---------------------------------------------------------
