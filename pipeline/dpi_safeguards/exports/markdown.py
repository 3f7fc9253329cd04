"""``framework.md``: the whole framework as one readable document.

Principle -> process -> practices, each with its dimension tags (risks, authorities,
stages, references), then the tables of risks, stages, authorities, KPIs and references.
Every framework text is escaped (:func:`dpi_safeguards.core.text.md_inline`): contributed
text never becomes markup, links or raw HTML.
"""

from __future__ import annotations

from collections.abc import Iterator

from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.core.text import md_cell, md_inline, md_oneline
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.framework import Framework

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


def _name(fw: Framework, entry_id: str) -> str:
    entry = fw.get(entry_id)
    label = getattr(entry, "name", None) or getattr(entry, "title", None)
    return f"{entry_id} {md_oneline(label)}" if label else entry_id


def _tags(fw: Framework, label: str, ids: list[str], empty: str = "") -> str | None:
    if not ids:
        return f"**{label}:** {empty}" if empty else None
    return f"**{label}:** " + ", ".join(_name(fw, i) for i in ids)


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


# Lines per piece of iter_framework_md (flushed between processes).
LINES_PER_PIECE = 4096


def iter_framework_md(fw: Framework, version: str, date: str) -> Iterator[str]:
    """The document in pieces (``"".join`` of them is the whole framework.md): the
    lines of 100,000 practices are never held at once."""
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
    out += ["", "## Principles, processes and practices", ""]
    children = fw.children_index()
    for principle_id in sorted_ids(fw.principles):
        principle = fw.principles[principle_id]
        out += [
            f"### {principle_id} {md_oneline(principle.name)} ({principle.kind})",
            "",
            md_inline(principle.description) + _deprecated_note(principle),
            "",
        ]
        for process_id in children.get(principle_id, []):
            process = fw.processes[process_id]
            text = md_oneline(process.text) if process.text else "*(text not given in the sources)*"
            out += [f"#### {process_id} {text}{_deprecated_note(process)}", ""]
            tags = [
                _tags(fw, "Risks", process.risks),
                _tags(fw, "Authorities", process.authorities),
                _tags(fw, "Stages", process.stages),
                _tags(fw, "References", process.references),
                _tags(fw, "Not given in the sources", list(process.gaps)),
            ]
            out += [t + "  " for t in tags if t]
            if out[-1].endswith("  "):
                out[-1] = out[-1][:-2]
            out.append("")
            practices = children.get(process_id, [])
            for practice_id in practices:
                practice = fw.practices[practice_id]
                extra = [
                    _tags(fw, "authorities", practice.authorities),
                    _tags(fw, "stages", practice.stages),
                    _tags(fw, "references", practice.references),
                ]
                shown = "; ".join(t for t in extra if t)
                suffix = f" ({shown})" if shown else ""
                out.append(
                    f"- **{practice_id}** {md_oneline(practice.text)}{suffix}"
                    f"{_deprecated_note(practice)}"
                )
            if practices:
                out.append("")
            if len(out) >= LINES_PER_PIECE:
                # "\n".join(a) + "\n" + "\n".join(b) == "\n".join(a + b), both non-empty
                yield "\n".join(out) + "\n"
                out.clear()
    out += ["## Risks", ""]
    out += _table(
        ["id", "name", "group", "description", "status"],
        [
            [r.id, md_cell(r.name), r.group, md_cell(r.description), _dep_cell(r)]
            for r in (fw.risks[i] for i in sorted_ids(fw.risks))
        ],
    )
    out += ["", "## Life-cycle stages", ""]
    out += _table(
        ["id", "name", "description", "activities", "status"],
        [
            [
                s.id,
                md_cell(s.name),
                md_cell(s.description),
                "<br>".join(md_cell(a) for a in s.activities),
                _dep_cell(s),
            ]
            for s in (fw.stages[i] for i in sorted_ids(fw.stages))
        ],
    )
    out += ["", "## Responsible authorities", ""]
    out += _table(
        ["id", "name", "personas", "roles", "status"],
        [
            [
                a.id,
                md_cell(a.name),
                "<br>".join(md_cell(p) for p in a.personas),
                "<br>".join(md_cell(r) for r in a.roles),
                _dep_cell(a),
            ]
            for a in (fw.authorities[i] for i in sorted_ids(fw.authorities))
        ],
    )
    out += ["", "## KPIs", ""]
    out += _table(
        ["id", "area", "phase", "indicator", "status"],
        [
            [
                k.id,
                k.area,
                k.phase,
                (md_cell(k.context) + "<br>" if k.context else "") + md_cell(k.text),
                _dep_cell(k),
            ]
            for k in (fw.kpis[i] for i in sorted_ids(fw.kpis))
        ],
    )
    out += ["", "## References", ""]
    out += _table(
        ["id", "title", "kind", "url", "status"],
        [
            [
                r.id,
                md_cell(r.title),
                r.kind,
                f"<{r.url}>"
                if r.url and r.url.startswith("https://") and ">" not in r.url and " " not in r.url
                else md_cell(r.url or ""),
                _dep_cell(r),
            ]
            for r in (fw.references[i] for i in sorted_ids(fw.references))
        ],
    )
    out += [
        "",
        f"This document is generated from the framework's data ({meta.licence}); "
        "the machine-readable form is framework.json.",
        "",
    ]
    yield "\n".join(out)
