"""A country framework's progress: what applies, who tracks it, what is done and what is
due, by principle, risk and stage. One pass over what applies."""

from __future__ import annotations

from collections.abc import Iterable

from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.country.check import CountryCheck
from dpi_safeguards.country.effective import dimensions
from dpi_safeguards.models.country import CountryStatus, ProgressRow, Tracking
from dpi_safeguards.models.framework import Framework, Practice, Process

_COUNTS = ("selected", "tracked", "planned", "in-progress", "done", "due")


def _row(entry_id: str, name: str, counts: dict[str, int]) -> ProgressRow:
    return ProgressRow.model_validate({"id": entry_id, "name": name, **counts})


def country_status(check: CountryCheck, as_of: str) -> CountryStatus:
    assert check.country is not None and check.effective is not None and check.pinned
    country, effective = check.country, check.effective
    fw = effective.framework
    groups: dict[tuple[Kind, str], dict[str, int]] = {}
    total = dict.fromkeys(_COUNTS, 0)
    due: list[str] = []
    for _, entry in effective.items():
        assert isinstance(entry, Process | Practice)
        process = fw.processes[entry.id if isinstance(entry, Process) else _parent(entry.id)]
        dims = dimensions(entry, process)
        tracking = country.tracking.get(entry.id)
        marks = _marks(tracking, as_of)
        if "due" in marks:
            due.append(entry.id)
        keys = [(Kind.PRINCIPLE, dims.principle)]
        keys += [(Kind.RISK, r) for r in dims.risks] + [(Kind.STAGE, s) for s in dims.stages]
        for counts in (total, *(groups.setdefault(k, dict.fromkeys(_COUNTS, 0)) for k in keys)):
            for mark in marks:
                counts[mark] += 1
    return CountryStatus(
        country=country.country,
        namespace=country.namespace,
        upstream=check.pinned.version,
        as_of=as_of,
        total=_row("all", "everything that applies", total),
        by_principle=_rows(fw, Kind.PRINCIPLE, groups),
        by_risk=_rows(fw, Kind.RISK, groups),
        by_stage=_rows(fw, Kind.STAGE, groups),
        due=sorted_ids(due),
    )


def _parent(entry_id: str) -> str:
    return entry_id.rsplit(".", 1)[0]


def _marks(tracking: Tracking | None, as_of: str) -> list[str]:
    if tracking is None:
        return ["selected"]
    marks = ["selected", "tracked", tracking.status]
    # ISO dates compare as strings.
    if tracking.status != "done" and tracking.due <= as_of:
        marks.append("due")
    return marks


def _rows(
    fw: Framework, kind: Kind, groups: dict[tuple[Kind, str], dict[str, int]]
) -> list[ProgressRow]:
    """One row per entry of the kind that anything applies to, in the framework's order."""
    table = fw.table(kind)
    present = [entry_id for (k, entry_id) in groups if k is kind]
    return [
        _row(entry_id, _name(table.get(entry_id)), groups[(kind, entry_id)])
        for entry_id in sorted_ids(present)
    ]


def _name(entry: object) -> str:
    return str(getattr(entry, "name", "") or "")


def render_status_text(status: CountryStatus) -> str:
    header = ("id", "name", "selected", "tracked", "planned", "in progress", "done", "due")
    lines = [
        f"{status.country} ({status.namespace}), on universal v{status.upstream}, "
        f"as of {status.as_of}",
    ]
    for title, rows in (
        ("by principle", status.by_principle),
        ("by risk", status.by_risk),
        ("by stage", status.by_stage),
    ):
        lines += ["", title, *_table(header, [*rows, status.total])]
    lines += ["", "due: " + (", ".join(status.due) if status.due else "nothing")]
    return "\n".join(lines) + "\n"


def _table(header: tuple[str, ...], rows: Iterable[ProgressRow]) -> list[str]:
    cells = [list(header)]
    for row in rows:
        values = [row.selected, row.tracked, row.planned, row.in_progress, row.done, row.due]
        cells.append([row.id, row.name, *(str(v) for v in values)])
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = []
    for number, row_cells in enumerate(cells):
        parts = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row_cells, widths, strict=True))
        ]
        out.append("  ".join(parts).rstrip())
        if number == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
