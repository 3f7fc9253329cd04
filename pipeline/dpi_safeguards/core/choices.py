"""The values some command-line options may take, in a module that imports nothing: the
CLI builds its options (and ``--help``) from them on every start, and importing the
modules that use them (ids, options, scaffold, renderers) would slow every command."""

from __future__ import annotations

CONTRIBUTION_KINDS = ("practice", "process", "kpi", "reference", "edit", "deprecate")
CANVAS_FORMATS = ("text", "md", "csv", "json", "html")

# The codes a KPI's id is made of (KPI-INS-DEP-1): its area's and its phase's.
KPI_AREA_CODES: dict[str, str] = {
    "people": "PEO",
    "redressal": "RED",
    "institutions-and-processes": "INS",
    "laws-and-policies": "LAW",
    "market-dynamics": "MKT",
    "technology": "TEC",
}
KPI_PHASE_CODES: dict[str, str] = {
    "design": "DES",
    "deployment": "DEP",
    "operations-and-maintenance": "OPS",
}
KPI_AREAS = tuple(KPI_AREA_CODES)
KPI_PHASES = tuple(KPI_PHASE_CODES)
