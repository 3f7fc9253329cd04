"""``framework.md``: the whole framework as one readable document.

Principle -> process -> practices, each with its dimension tags (risks, authorities,
stages, references), then the tables of risks, stages, authorities, KPIs and references.
Every framework text is escaped (:func:`dpi_safeguards.core.text.md_inline`): contributed
text never becomes markup, links or raw HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.core.text import md_cell, md_inline, md_oneline, md_oneline_all
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.framework import (
    Authority,
    Framework,
    Kpi,
    Practice,
    Principle,
    Reference,
    Risk,
    Stage,
)

EntryT = TypeVar("EntryT", bound=Entry)

KIND_TITLES: dict[Kind, str] = {
    Kind.RISK: "Risks",
    Kind.PRINCIPLE: "Principles",
    Kind.STAGE: "Life-cycle stages",
    Kind.AUTHORITY: "Responsible authorities",
    Kind.PROCESS: "Processes",
    Kind.PRACTICE: "Practices",
    Kind.KPI: "KPIs",
    Kind.REFERENCE: "References",
}


class _Labels:
    """Ids as the document shows them (the id and its escaped name): a few hundred risks,
    stages and authorities are named hundreds of thousands of times, each worked out once."""

    def __init__(self, fw: Framework) -> None:
        self._fw = fw
        self._shown: dict[str, str] = {}

    def shown(self, entry_id: str) -> str:
        found = self._shown.get(entry_id)
        if found is None:
            entry = self._fw.get(entry_id)
            label = getattr(entry, "name", None) or getattr(entry, "title", None)
            found = f"{entry_id} {md_oneline(label)}" if label else entry_id
            self._shown[entry_id] = found
        return found

    def tags(self, label: str, ids: list[str], empty: str = "") -> str | None:
        if not ids:
            return f"**{label}:** {empty}" if empty else None
        return f"**{label}:** " + ", ".join(map(self.shown, ids))


def _deprecated_note(entry: Entry) -> str:
    dep = entry.deprecated
    if dep is None:
        return ""
    note = f" *(deprecated in {dep.version}: {md_oneline(dep.reason)}"
    if dep.replaced_by:
        note += f"; replaced by {dep.replaced_by}"
    return note + ")*"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _dep_cell(entry: Entry) -> str:
    dep = entry.deprecated
    if dep is None:
        return "active"
    replaced = f"; replaced by {dep.replaced_by}" if dep.replaced_by else ""
    return f"deprecated in {dep.version}: {md_cell(dep.reason)}{replaced}"


def _cell_lines(values: list[str]) -> str:
    """A list of texts in one table cell, one per line."""
    return "<br>".join(md_cell(v) for v in values)


def _url_cell(url: str | None) -> str:
    # Only a plain https URL becomes an autolink; anything else is shown as text.
    if url and url.startswith("https://") and ">" not in url and " " not in url:
        return f"<{url}>"
    return md_cell(url or "")


# The cells between the id and the status of each kind's table.
def _risk_cells(r: Risk) -> list[str]:
    return [md_cell(r.name), r.group, md_cell(r.description)]


def _stage_cells(s: Stage) -> list[str]:
    return [md_cell(s.name), md_cell(s.description), _cell_lines(s.activities)]


def _authority_cells(a: Authority) -> list[str]:
    return [md_cell(a.name), _cell_lines(a.personas), _cell_lines(a.roles)]


def _kpi_cells(k: Kpi) -> list[str]:
    indicator = (md_cell(k.context) + "<br>" if k.context else "") + md_cell(k.text)
    return [k.area, k.phase, indicator]


def _reference_cells(r: Reference) -> list[str]:
    return [md_cell(r.title), r.kind, _url_cell(r.url)]


def _entry_table(
    entries: dict[str, EntryT], headers: list[str], cells: Callable[[EntryT], list[str]]
) -> list[str]:
    """A table of ``entries`` in id order: the id, the kind's own cells, the status."""
    rows = [[e.id, *cells(e), _dep_cell(e)] for e in (entries[i] for i in sorted_ids(entries))]
    return _table(["id", *headers, "status"], rows)


def _entry_tables(fw: Framework) -> list[str]:
    """The sections of risks, stages, authorities, KPIs and references: one table each."""
    tables = {
        Kind.RISK: _entry_table(fw.risks, ["name", "group", "description"], _risk_cells),
        Kind.STAGE: _entry_table(fw.stages, ["name", "description", "activities"], _stage_cells),
        Kind.AUTHORITY: _entry_table(
            fw.authorities, ["name", "personas", "roles"], _authority_cells
        ),
        Kind.KPI: _entry_table(fw.kpis, ["area", "phase", "indicator"], _kpi_cells),
        Kind.REFERENCE: _entry_table(fw.references, ["title", "kind", "url"], _reference_cells),
    }
    out: list[str] = []
    for kind, table in tables.items():
        out += [f"## {KIND_TITLES[kind]}", "", *table, ""]
    return out


def _front_matter(fw: Framework, version: str, date: str) -> list[str]:
    """The title, the release, the description, the sources and the table of counts."""
    meta = fw.metadata
    out: list[str] = [
        f"# {md_oneline(meta.title)}",
        "",
        f"Version {version}, released {date}. Licence: {meta.licence}.",
        "",
        md_inline(meta.description),
        "",
    ]
    if meta.sources:
        out += ["Sources:", ""] + [f"- {md_oneline(s)}" for s in meta.sources] + [""]
    counts = fw.counts()
    totals = fw.counts(include_deprecated=True)
    out += ["## Contents", ""]
    out += _table(
        ["kind", "active", "deprecated"],
        [
            [KIND_TITLES[k], str(counts[k.value]), str(totals[k.value] - counts[k.value])]
            for k in Kind
        ],
    )
    return out


def _principle_lines(principle_id: str, principle: Principle) -> list[str]:
    return [
        f"### {principle_id} {md_oneline(principle.name)} ({principle.kind})",
        "",
        md_inline(principle.description) + _deprecated_note(principle),
        "",
    ]


def _process_lines(
    fw: Framework, labels: _Labels, process_id: str, practice_ids: list[str]
) -> list[str]:
    """A process's heading, its dimension tags (one per line) and its practices."""
    process = fw.processes[process_id]
    text = md_oneline(process.text) if process.text else "*(text not given in the sources)*"
    out = [f"#### {process_id} {text}{_deprecated_note(process)}", ""]
    tags = [
        labels.tags("Risks", process.risks),
        labels.tags("Authorities", process.authorities),
        labels.tags("Stages", process.stages),
        labels.tags("References", process.references),
        labels.tags("Not given in the sources", list(process.gaps)),
    ]
    # Two trailing spaces break the line in Markdown; the last tag needs none.
    out += [t + "  " for t in tags if t]
    if out[-1].endswith("  "):
        out[-1] = out[-1][:-2]
    out.append("")
    practices = [fw.practices[practice_id] for practice_id in practice_ids]
    texts = md_oneline_all([practice.text for practice in practices])
    out += [_practice_line(labels, p, text) for p, text in zip(practices, texts, strict=True)]
    if practice_ids:
        out.append("")
    return out


def _practice_line(labels: _Labels, practice: Practice, text: str) -> str:
    """A practice's line; ``text``: its text, escaped (md_oneline)."""
    extra = [
        labels.tags("authorities", practice.authorities),
        labels.tags("stages", practice.stages),
        labels.tags("references", practice.references),
    ]
    shown = "; ".join(t for t in extra if t)
    suffix = f" ({shown})" if shown else ""
    return f"- **{practice.id}** {text}{suffix}{_deprecated_note(practice)}"


# Lines per piece of iter_framework_md (flushed between processes).
LINES_PER_PIECE = 4096


def iter_framework_md(fw: Framework, version: str, date: str) -> Iterator[str]:
    """The document in pieces (``"".join`` of them is the whole framework.md): the
    lines of 100,000 practices are never held at once."""
    out = _front_matter(fw, version, date)
    out += ["", "## Principles, processes and practices", ""]
    children = fw.children_index()
    labels = _Labels(fw)
    for principle_id in sorted_ids(fw.principles):
        out += _principle_lines(principle_id, fw.principles[principle_id])
        for process_id in children.get(principle_id, []):
            out += _process_lines(fw, labels, process_id, children.get(process_id, []))
            if len(out) >= LINES_PER_PIECE:
                # "\n".join(a) + "\n" + "\n".join(b) == "\n".join(a + b), both non-empty
                yield "\n".join(out) + "\n"
                out.clear()
    out += _entry_tables(fw)
    out += [
        f"This document is generated from the framework's data ({fw.metadata.licence}); "
        "the machine-readable form is framework.json.",
        "",
    ]
    yield "\n".join(out)
