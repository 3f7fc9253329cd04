"""Rendering a :class:`ChangeList`: plain text (terminal), Markdown (pull-request comments,
release notes), JSON (the published ``changes.schema.json`` contract).

Changed texts are shown as a word-level diff: ``[-old-]{+new+}`` in text,
``~~old~~ **new**`` in Markdown. Contributed text is untrusted: in Markdown every
character Markdown would act on is backslash-escaped, ``@mentions`` are defused with a
zero-width joiner after the ``@`` (no one is notified), line breaks inside a text become
spaces, and no output line starts with ``::`` (a workflow command when a job prints it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from dpi_safeguards.models.changes import CHANGE_TYPES, ChangeList, EntryChange, FieldChange
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.store.writer import dump_json

ZWJ = "\u200d"
# Contributed text only ever stands inside a line (never at its start), so the characters
# that act inside a line are enough: emphasis, code, links, HTML, tables, strike-through,
# entities, images, math, issue references.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~&!$])")
_WORD_SPLIT = re.compile(r"\S+")

# ---- word-level text diff -----------------------------------------------------------------


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Runs of ("equal" | "delete" | "insert", words joined by single spaces)."""
    a, b = _WORD_SPLIT.findall(old), _WORD_SPLIT.findall(new)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(("equal", " ".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            runs.append(("delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            runs.append(("insert", " ".join(b[j1:j2])))
    return runs


def _render_word_diff(
    old: str, new: str, mark: Callable[[str, str], str], *, replace_glue: str = ""
) -> str:
    """Runs joined by spaces; a replacement's deletion and insertion by ``replace_glue``."""
    out = ""
    previous = ""
    for tag, text in word_diff(old, new):
        if not text:
            continue
        if not out:
            glue = ""
        elif previous == "delete" and tag == "insert":
            glue = replace_glue
        else:
            glue = " "
        out += glue + mark(tag, text)
        previous = tag
    return out


# ---- shared helpers -----------------------------------------------------------------------


def _principle_label(change: EntryChange, framework: Framework | None) -> str | None:
    if change.principle is None or change.kind == "principle":
        return None
    principle = framework.principles.get(change.principle) if framework else None
    return f"{change.principle} {principle.name}" if principle else change.principle


def _deprecation(change: EntryChange) -> dict[str, Any]:
    for item in change.fields:
        if item.field == "deprecated" and isinstance(item.new, dict):
            return item.new
    return {}


def _credit_parts(change: EntryChange) -> list[str]:
    parts = []
    if change.contributors:
        parts.append("contributed by " + ", ".join(change.contributors))
    if change.reviewers:
        parts.append("reviewed by " + ", ".join(change.reviewers))
    return parts


def _is_text_value(item: FieldChange) -> bool:
    return isinstance(item.old, str) and isinstance(item.new, str)


def _plain_value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _count_rows(changelist: ChangeList) -> list[list[str]]:
    rows = []
    for kind, counts in changelist.counts.items():
        rows.append([kind, *(str(counts.get(t, 0)) for t in CHANGE_TYPES)])
    return rows


def _guard_lines(text: str) -> str:
    """No line may start with '::' (a GitHub workflow command when printed by a job)."""
    return "\n".join(("\\" + line if line.startswith("::") else line) for line in text.split("\n"))


@dataclass(frozen=True)
class _EntryStyle:
    """How one change is written, in plain text or in Markdown: the lines are the same,
    only the marks and the escaping differ."""

    marker: Callable[[EntryChange], str]  # what starts the entry's first line
    replaces: str  # put before the id a move replaces
    strong: Callable[[str], str]  # an id: the entry's own, the one moved from, a replacement
    plain: Callable[[str], str]  # its context, a field's name, credits
    prose: Callable[[str], str]  # contributed text on one line: a summary, a reason
    field: Callable[[FieldChange], str]  # a changed field's old and new values
    indent: str  # what starts each detail line below the first


def _entry_lines(change: EntryChange, framework: Framework | None, style: _EntryStyle) -> list[str]:
    context = ", ".join(p for p in (change.kind, _principle_label(change, framework)) if p)
    head = f"{style.marker(change)} {style.strong(change.id)} ({style.plain(context)})"
    if change.change == "moved" and change.moved_from:
        head += style.replaces + style.strong(change.moved_from)
    if change.change in ("added", "moved", "removed") and change.summary:
        head += f": {style.prose(change.summary)}"
    lines = [head]
    info = _deprecation(change) if change.change == "deprecated" else {}
    if info:
        reason = f"{style.indent}reason: {style.prose(str(info.get('reason', '')))}"
        if info.get("replaced_by"):
            reason += f"; replaced by {style.strong(str(info['replaced_by']))}"
        lines.append(reason)
    if change.change == "changed":
        for item in change.fields:
            lines.append(f"{style.indent}{style.plain(item.field)}: {style.field(item)}")
    credit = _credit_parts(change)
    if credit and change.change != "removed":
        source = f" ({style.plain(change.contribution)})" if change.contribution else ""
        lines.append(f"{style.indent}{style.plain('; '.join(credit))}{source}")
    return lines


# ---- text ---------------------------------------------------------------------------------

_TEXT_SIGNS = {"added": "+", "changed": "~", "deprecated": "-", "moved": ">", "removed": "!"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_changes_text(changelist: ChangeList, framework: Framework | None = None) -> str:
    title = f"Changes from {changelist.from_version or '?'} to {changelist.to_version or '?'}"
    lines = [title]
    if changelist.is_empty:
        lines.append("No changes.")
        return _guard_lines("\n".join(lines)) + "\n"
    header = ["kind", *CHANGE_TYPES]
    rows = [header, *_count_rows(changelist)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        lines.append(
            "  "
            + "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )
    for change_type in CHANGE_TYPES:
        group = changelist.of(change_type)
        if not group:
            continue
        lines.append("")
        lines.append(f"{change_type} ({len(group)}):")
        for change in group:
            lines.extend(_entry_lines(change, framework, _TEXT_STYLE))
    return _guard_lines("\n".join(lines)) + "\n"


def _text_field(item: FieldChange) -> str:
    if _is_text_value(item):
        return _render_word_diff(
            _one_line(item.old),
            _one_line(item.new),
            lambda tag, text: {"delete": f"[-{text}-]", "insert": f"{{+{text}+}}"}.get(tag, text),
        )
    shown = f"{_plain_value(item.old)} -> {_plain_value(item.new)}"
    detail = [f"+{v}" for v in item.added] + [f"-{v}" for v in item.removed]
    return shown + (f" ({', '.join(map(str, detail))})" if detail else "")


def _as_is(text: str) -> str:
    return text


_TEXT_STYLE = _EntryStyle(
    marker=lambda change: f"  {_TEXT_SIGNS[change.change]}",
    replaces=" replaces ",
    strong=_as_is,
    plain=_as_is,
    prose=_one_line,
    field=_text_field,
    indent="      ",
)


# ---- Markdown -----------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Contributed text made inert in Markdown: special characters escaped, line breaks
    flattened, @mentions defused."""
    flat = " ".join(str(text).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    return escaped.replace("@", "@" + ZWJ)


def _md_value(value: Any) -> str:
    if value is None:
        return "*(none)*"
    if isinstance(value, list):
        return ", ".join(md_escape(str(v)) for v in value) if value else "*(none)*"
    if isinstance(value, dict):
        return "; ".join(f"{md_escape(str(k))}: {md_escape(str(v))}" for k, v in value.items())
    return md_escape(str(value))


def _md_field(item: FieldChange) -> str:
    if _is_text_value(item):
        return _render_word_diff(
            item.old,
            item.new,
            lambda tag, text: {
                "delete": f"~~{md_escape(text)}~~",
                "insert": f"**{md_escape(text)}**",
            }.get(tag, md_escape(text)),
            replace_glue=" ",
        )
    shown = f"{_md_value(item.old)} → {_md_value(item.new)}"
    detail = [f"added {md_escape(str(v))}" for v in item.added] + [
        f"removed {md_escape(str(v))}" for v in item.removed
    ]
    return shown + (f" ({', '.join(detail)})" if detail else "")


_MD_STYLE = _EntryStyle(
    marker=lambda change: "-",
    replaces=", replaces ",
    strong=lambda text: f"**{md_escape(text)}**",
    plain=md_escape,
    prose=md_escape,
    field=_md_field,
    indent="  - ",
)


_MD_HEADINGS = {
    "added": "Added",
    "changed": "Changed",
    "deprecated": "Deprecated",
    "moved": "Moved",
    "removed": "Removed",
}


def render_changes_md(
    changelist: ChangeList, framework: Framework | None = None, *, heading_level: int = 2
) -> str:
    """The change list as Markdown, safe to post as a pull-request comment or to put in
    release notes. ``framework`` (the newer version) gives principle names."""
    h = "#" * heading_level
    from_label = md_escape(changelist.from_version or "?")
    to_label = md_escape(changelist.to_version or "?")
    lines = [f"{h} Changes from {from_label} to {to_label}", ""]
    if changelist.is_empty:
        lines.append("No changes.")
        return _guard_lines("\n".join(lines)) + "\n"
    lines.append("| kind | " + " | ".join(CHANGE_TYPES) + " |")
    lines.append("|---|" + "---:|" * len(CHANGE_TYPES))
    for row in _count_rows(changelist):
        lines.append("| " + " | ".join(row) + " |")
    for change_type in CHANGE_TYPES:
        group = changelist.of(change_type)
        if not group:
            continue
        lines.extend(["", f"{h}# {_MD_HEADINGS[change_type]} ({len(group)})", ""])
        for change in group:
            lines.extend(_entry_lines(change, framework, _MD_STYLE))
    return _guard_lines("\n".join(lines)) + "\n"


# ---- JSON ---------------------------------------------------------------------------------


def render_changes_json(changelist: ChangeList, framework: Framework | None = None) -> str:
    """The change list as JSON (``changes.schema.json``); deterministic bytes."""
    return dump_json(changelist.model_dump(mode="json", by_alias=True))


CHANGE_RENDERERS: dict[str, Callable[[ChangeList, Framework | None], str]] = {
    "text": render_changes_text,
    "md": render_changes_md,
    "json": render_changes_json,
}
