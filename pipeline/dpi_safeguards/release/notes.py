"""``RELEASE_NOTES.md`` and ``releases/CHANGELOG.md``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dpi_safeguards.core.ids import Kind, natural_key
from dpi_safeguards.core.text import md_notes as md_oneline
from dpi_safeguards.models.changes import ChangeList, EntryChange
from dpi_safeguards.models.framework import Framework

# A link to a file of the same release (never one inside escaped text: that has "\]").
_LOCAL_LINK = re.compile(r"(?<!\\)\]\(([A-Za-z0-9_.\-]+)\)")
_SECTION_TITLES = {
    "added": "Added",
    "changed": "Changed",
    "deprecated": "Deprecated",
    "moved": "Moved",
}


def _principle_heading(fw: Framework, principle_id: str | None) -> str:
    if principle_id is None:
        return "Risks, stages, authorities, KPIs and references"
    principle = fw.principles.get(principle_id)
    name = md_oneline(principle.name) if principle is not None else ""
    return f"{principle_id} {name}".strip()


def _credit(change: EntryChange) -> str:
    parts = []
    if change.contributors:
        parts.append("contributed by " + ", ".join(md_oneline(c) for c in change.contributors))
    if change.reviewers:
        parts.append("reviewed by " + ", ".join(md_oneline(r) for r in change.reviewers))
    if change.contribution:
        parts.append(f"from {md_oneline(change.contribution)}")
    return f" ({'; '.join(parts)})" if parts else ""


def _line(change: EntryChange, fw: Framework) -> str:
    summary = f": {md_oneline(change.summary)}" if change.summary else ""
    text = f"- {change.kind} **{change.id}**{summary}"
    if change.change == "moved" and change.moved_from:
        text += f" (moved from {change.moved_from})"
    if change.change == "changed":
        text += " (changed: " + ", ".join(f.field for f in change.fields) + ")"
    if change.change == "deprecated":
        entry = fw.get(change.id)
        dep = entry.deprecated if entry is not None else None
        if dep is not None:
            replaced = f"; replaced by {dep.replaced_by}" if dep.replaced_by else ""
            text += f" (deprecated: {md_oneline(dep.reason)}{replaced})"
    if change.change == "added" and not change.contribution:  # a contribution is credited below
        text += _source(fw, change.id)
    return text + _credit(change)


def _source(fw: Framework, entry_id: str) -> str:
    """Where an added entry comes from: its first provenance record (a seed and place, a
    Hub page's facts, or a contribution), so the notes say from which source it was taken."""
    entry = fw.get(entry_id)
    if entry is None or not entry.provenance:
        return ""
    record = entry.provenance[0]
    where = f", {record.location}" if record.location else ""
    return f" [source: {md_oneline(record.source)}{md_oneline(where)}]"


def _grouped(changes: Iterable[EntryChange]) -> dict[str | None, list[EntryChange]]:
    groups: dict[str | None, list[EntryChange]] = {}
    for change in changes:
        groups.setdefault(change.principle, []).append(change)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] is None, natural_key(kv[0] or ""))))


def _people(changes: Iterable[EntryChange]) -> tuple[list[str], list[str]]:
    contributors: set[str] = set()
    reviewers: set[str] = set()
    for change in changes:
        contributors.update(change.contributors)
        reviewers.update(change.reviewers)
    return sorted(contributors, key=str.casefold), sorted(reviewers, key=str.casefold)


# The notes' last section: where the rest of the release is.
_FILES_SECTION = (
    "",
    "## Files",
    "",
    "The machine-readable change list is [changes.json](changes.json); the whole "
    "framework is [framework.json](framework.json) and [framework.md](framework.md); "
    "checksums are in [SHA256SUMS](SHA256SUMS).",
    "",
)


def render_release_notes(
    fw: Framework,
    changes: ChangeList,
    *,
    version: str,
    date: str,
    previous: str | None,
    translation_notes: list[str] | None = None,
) -> str:
    """``translation_notes``: the section on translations (lines), when there are any."""
    out = [f"# {md_oneline(fw.metadata.title)} {version}", "", f"Released {date}."]
    if previous is None:
        out.append("The first release: every entry is new.")
    else:
        out.append(f"Changes since {previous}.")
    out += _summary_section(fw, changes)
    if previous is None:
        out += ["", f"{len(changes.changes)} entries; the whole framework is in framework.md."]
    else:
        out += _change_sections(fw, changes)
    out += _thanks_section(changes)
    out += translation_notes or []
    out += _FILES_SECTION
    return "\n".join(out)


def _summary_section(fw: Framework, changes: ChangeList) -> list[str]:
    """Per kind: how many entries are active and deprecated, and what this release did."""
    counts = fw.counts()
    totals = fw.counts(include_deprecated=True)
    out = [
        "",
        "## Summary",
        "",
        "| kind | active | deprecated | added | changed | deprecated now |",
        "|---|---|---|---|---|---|",
    ]
    for kind in Kind:
        per = changes.counts.get(kind.value, {})
        added = per.get("added", 0) + per.get("moved", 0)
        out.append(
            f"| {kind.value} | {counts[kind.value]} | {totals[kind.value] - counts[kind.value]} "
            f"| {added} | {per.get('changed', 0)} | {per.get('deprecated', 0)} |"
        )
    return out


def _change_sections(fw: Framework, changes: ChangeList) -> list[str]:
    """A section per type of change, its entries grouped by principle."""
    out: list[str] = []
    for change_type, title in _SECTION_TITLES.items():
        selected = changes.of(change_type)  # type: ignore[arg-type]
        if not selected:
            continue
        out += ["", f"## {title}"]
        for principle_id, group in _grouped(selected).items():
            out += ["", f"### {_principle_heading(fw, principle_id)}", ""]
            out += [_line(c, fw) for c in group]
    if not changes.changes:
        out += ["", "No entry changed; metadata or provenance did."]
    return out


def _thanks_section(changes: ChangeList) -> list[str]:
    """The contributors and reviewers of the release's changes (none: no section)."""
    contributors, reviewers = _people(changes.changes)
    if not contributors and not reviewers:
        return []
    out = ["", "## Thanks", ""]
    if contributors:
        out.append("Contributors: " + ", ".join(md_oneline(c) for c in contributors) + ".")
    if reviewers:
        if contributors:
            out.append("")
        out.append("Reviewers: " + ", ".join(md_oneline(r) for r in reviewers) + ".")
    return out


def relink(text: str, prefix: str) -> str:
    """Links to files of the same release, made relative to another place."""
    return _LOCAL_LINK.sub(lambda m: f"]({prefix}{m.group(1)})", text)


def render_changelog(notes_newest_first: list[tuple[str, str]]) -> str:
    """``CHANGELOG.md``: every release's notes, newest first, headings one level down."""
    out = ["# Changelog", ""]
    for version, notes in notes_newest_first:
        for line in notes.rstrip("\n").split("\n"):
            line = relink(line, f"v{version}/")
            out.append("#" + line if line.startswith("#") else line)
        out.append("")
    return "\n".join(out)
