"""CSV exports: one table per kind plus the flat ``recommendations.csv``.

RFC 4180: comma-separated, CRLF line ends, fields quoted only when needed (``"`` doubled),
UTF-8 without a byte order mark, a header row. Lists of ids are joined with ``|``; lists of
texts put one item per line (LF) inside the cell. A cell starting with ``= + - @``, tab or
carriage return is prefixed with ``'`` so spreadsheets show it as text instead of running
it as a formula. The same column specs describe the tables in ``datapackage.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.core.text import FORMULA_START
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.framework import (
    TABLE_NAMES,
    Authority,
    Framework,
    Kpi,
    Practice,
    Principle,
    Process,
    Reference,
    Risk,
    Stage,
)

ID_SEPARATOR = "|"
TEXT_SEPARATOR = "\n"
CSV_ENCODING = "utf-8"
ColumnType = Literal["string", "list"]


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: ColumnType = "string"
    required: bool = False
    pattern: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    field: str
    resource: str
    reference: str = "id"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: list[Column]
    rows: Callable[[Framework], Iterator[list[str]]]
    primary_key: str = "id"
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _ids(values: Iterable[str]) -> str:
    return ID_SEPARATOR.join(values)


def _texts(values: Iterable[str]) -> str:
    return TEXT_SEPARATOR.join(values)


DEPRECATION_COLUMNS = [
    Column("status", "active or deprecated", required=True, pattern="^(active|deprecated)$"),
    Column("deprecated_in", "The release that deprecated the entry (X.Y.Z)."),
    Column("deprecation_reason", "Why it was deprecated."),
    Column("replaced_by", "The id of the entry that replaces it."),
]


def _deprecation(entry: Entry) -> list[str]:
    dep = entry.deprecated
    if dep is None:
        return ["active", "", "", ""]
    return ["deprecated", dep.version, dep.reason, dep.replaced_by or ""]


def _entries(fw: Framework, kind: Kind) -> Iterator[Any]:
    table = fw.table(kind)
    for entry_id in sorted_ids(table):
        yield table[entry_id]


# The cells of an entry between its id and its deprecation, one per column of its table.
def _risk_cells(e: Risk) -> list[str]:
    return [e.name, e.group, e.description]


def _principle_cells(e: Principle) -> list[str]:
    return [e.name, e.kind, e.description]


def _stage_cells(e: Stage) -> list[str]:
    return [e.name, e.description, _texts(e.activities)]


def _authority_cells(e: Authority) -> list[str]:
    return [e.name, _texts(e.personas), _texts(e.roles), _texts(e.uses)]


def _process_cells(e: Process) -> list[str]:
    dimensions = (e.risks, e.authorities, e.stages, e.references, e.gaps)
    return [e.id.split(".")[0], e.text or "", *(_ids(ids) for ids in dimensions)]


def _practice_cells(e: Practice) -> list[str]:
    process, principle = e.id.rsplit(".", 1)[0], e.id.split(".")[0]
    dimensions = (e.authorities, e.stages, e.references)
    return [process, principle, e.text, *(_ids(ids) for ids in dimensions)]


def _kpi_cells(e: Kpi) -> list[str]:
    return [e.area, e.phase, e.text, e.context or ""]


def _reference_cells(e: Reference) -> list[str]:
    return [e.title, e.url or "", e.kind]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _recommendation_rows(fw: Framework) -> Iterator[list[str]]:
    for practice in _entries(fw, Kind.PRACTICE):
        process = fw.processes.get(practice.id.rsplit(".", 1)[0])
        principle = fw.principles.get(practice.id.split(".")[0])
        if process is None or principle is None:
            continue
        if not (practice.is_active and process.is_active and principle.is_active):
            continue
        yield [
            practice.id,
            practice.text,
            process.id,
            process.text or "",
            principle.id,
            principle.name,
            principle.kind,
            _ids(process.risks),
            _ids(practice.authorities or process.authorities),
            _ids(practice.stages or process.stages),
            _ids(_unique([*practice.references, *process.references])),
        ]


def _id(kind: str) -> Column:
    return Column("id", f"The {kind}'s id (never reused).", required=True)


def _idlist(name: str, what: str) -> Column:
    return Column(name, f"{what}, ids joined with '{ID_SEPARATOR}'.", type="list")


# Every kind's table is named as framework.json names the kind (risks.csv, ...); its id
# column comes first and its deprecation columns last.
_ID_NOUNS = {Kind.KPI: "KPI"}  # the id column's "The <noun>'s id", where not the kind
_NAME = Column("name", "Name.", required=True)
_DESCRIPTION = Column("description", "Description.")
_REFERENCES = _idlist("references", "References")


def _kind_table(
    kind: Kind,
    title: str,
    description: str,
    columns: list[Column],
    cells: Callable[[Any], list[str]],
    foreign_keys: list[ForeignKey] | None = None,
) -> Table:
    """The table of one kind: ``columns`` (and ``cells``, an entry's values for them)
    are those between the id and the deprecation columns."""

    def rows(fw: Framework) -> Iterator[list[str]]:
        for e in _entries(fw, kind):
            yield [e.id, *cells(e), *_deprecation(e)]

    return Table(
        TABLE_NAMES[kind],
        title,
        description,
        [_id(_ID_NOUNS.get(kind, kind.value)), *columns, *DEPRECATION_COLUMNS],
        rows,
        foreign_keys=foreign_keys or [],
    )


TABLES: list[Table] = [
    _kind_table(
        Kind.RISK,
        "Risks",
        "Safety (RS), inclusion (RI) risks and structural vulnerabilities (SV).",
        [_NAME, Column("group", "safety, inclusion or structural.", required=True), _DESCRIPTION],
        _risk_cells,
    ),
    _kind_table(
        Kind.PRINCIPLE,
        "Principles",
        "Foundational (F) and operational (O) principles.",
        [_NAME, Column("kind", "foundational or operational.", required=True), _DESCRIPTION],
        _principle_cells,
    ),
    _kind_table(
        Kind.STAGE,
        "Life-cycle stages",
        "The DPI life-cycle stages (L).",
        [_NAME, _DESCRIPTION, Column("activities", "Activities, one per line.")],
        _stage_cells,
    ),
    _kind_table(
        Kind.AUTHORITY,
        "Responsible authorities",
        "Who carries out the recommendations (R).",
        [
            _NAME,
            Column("personas", "Personas, one per line."),
            Column("roles", "Roles, one per line."),
            Column("uses", "Potential uses of the framework, one per line."),
        ],
        _authority_cells,
    ),
    _kind_table(
        Kind.PROCESS,
        "Processes",
        "Processes under each principle.",
        [
            Column("principle", "The principle it belongs to.", required=True),
            Column("text", "The process recommendation (empty where the sources give none)."),
            _idlist("risks", "Risks it mitigates"),
            _idlist("authorities", "Responsible authorities"),
            _idlist("stages", "Life-cycle stages"),
            _REFERENCES,
            Column(
                "gaps",
                f"What the sources do not give (text, risks, authorities, stages), joined "
                f"with '{ID_SEPARATOR}'.",
                type="list",
            ),
        ],
        _process_cells,
        foreign_keys=[ForeignKey("principle", "principles")],
    ),
    _kind_table(
        Kind.PRACTICE,
        "Practices",
        "Practices under each process.",
        [
            Column("process", "The process it belongs to.", required=True),
            Column("principle", "The principle of that process.", required=True),
            Column("text", "The practice.", required=True),
            _idlist("authorities", "Narrows the process's authorities (empty: all of them)"),
            _idlist("stages", "Narrows the process's stages (empty: all of them)"),
            _REFERENCES,
        ],
        _practice_cells,
        foreign_keys=[ForeignKey("process", "processes"), ForeignKey("principle", "principles")],
    ),
    _kind_table(
        Kind.KPI,
        "Key performance indicators",
        "Indicators by area and phase (annex 4).",
        [
            Column("area", "people, redressal, institutions-and-processes, ...", required=True),
            Column("phase", "design, deployment or operations-and-maintenance.", required=True),
            Column("text", "The indicator.", required=True),
            Column("context", "The lead-in the indicator belongs to."),
        ],
        _kpi_cells,
    ),
    _kind_table(
        Kind.REFERENCE,
        "References and case studies",
        "Knowledge resources, references, case studies and toolkits.",
        [
            Column("title", "Title.", required=True),
            Column("url", "https URL."),
            Column("kind", "knowledge-resource, reference, case-study or toolkit.", required=True),
        ],
        _reference_cells,
    ),
    Table(
        "recommendations",
        "Recommendations",
        "One row per active practice (under an active process and principle), with the "
        "dimensions that apply to it: the knowledge-library view.",
        [
            Column("practice", "The practice's id.", required=True),
            Column("practice_text", "The practice.", required=True),
            Column("process", "Its process.", required=True),
            Column("process_text", "The process recommendation."),
            Column("principle", "Its principle.", required=True),
            Column("principle_name", "The principle's name.", required=True),
            Column("principle_kind", "foundational or operational.", required=True),
            _idlist("risks", "Risks the process mitigates"),
            _idlist("authorities", "Responsible authorities (the practice's, else the process's)"),
            _idlist("stages", "Life-cycle stages (the practice's, else the process's)"),
            _idlist("references", "References of the practice, then of the process"),
        ],
        _recommendation_rows,
        primary_key="practice",
        foreign_keys=[
            ForeignKey("practice", "practices"),
            ForeignKey("process", "processes"),
            ForeignKey("principle", "principles"),
        ],
    ),
]


# Rows per piece of iter_csv: big enough that a piece costs little, small enough that a
# table of 100,000 rows is never held whole.
ROWS_PER_PIECE = 2048


def csv_line(row: list[str]) -> str:
    """One row as ``csv.writer(lineterminator="\\r\\n", quoting=QUOTE_MINIMAL)`` writes it
    (a property test compares them), in a few C calls per row instead of the csv
    module's loop over every character: 2.4 times as fast on 100,000 practice texts with
    commas. A cell is quoted, its quotes doubled, when it holds a delimiter, a quote or a
    line break; a row of one empty cell is ``""`` (else it would read as no cell)."""
    line = ",".join(row)
    if '"' in line or "\n" in line or "\r" in line or line.count(",") != len(row) - 1:
        line = ",".join(
            [
                '"' + c.replace('"', '""') + '"'
                if "," in c or '"' in c or "\n" in c or "\r" in c
                else c
                for c in row
            ]
        )
    elif line == "" and len(row) == 1:
        line = '""'
    return line + "\r\n"


def iter_csv(table: Table, fw: Framework) -> Iterator[str]:
    """The table's text in pieces (``"".join`` of them is the whole table)."""
    lines = [csv_line([c.name for c in table.columns])]
    for number, row in enumerate(table.rows(fw), 1):
        # csv_cell, inline: a call per cell is a quarter of the table's time at 100,000 rows.
        lines.append(csv_line([f"'{v}" if v.startswith(FORMULA_START) else v for v in row]))
        if number % ROWS_PER_PIECE == 0:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)
