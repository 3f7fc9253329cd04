"""``safeguards new``: a contribution file to fill in, so nobody starts from a blank page.

Every text the contributor must write is left as ``""``, which the validator rejects
("must not be empty; fill it in") until it is filled; ``licence_consent`` is ``false`` until the
contributor sets it (or passes ``--agree-licence``): consent is never given for them.
An edit is pre-filled with the entry's current value as ``expected``, so it is never
stale when it is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dpi_safeguards.check.rules.contribution import EDITABLE
from dpi_safeguards.core.choices import CONTRIBUTION_KINDS as KINDS
from dpi_safeguards.core.choices import KPI_AREAS, KPI_PHASES
from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.core.options import ScaffoldOptions
from dpi_safeguards.models.contribution import LIST_FIELDS
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.store.writer import dump_yaml

HEADER = """\
# A proposed change to the Universal DPI Safeguards Framework.
# Fill in every empty "" value, and set licence_consent to true to license your text
# under CC BY-SA 4.0 (the framework's licence). Then:
#   safeguards validate THIS-FILE   lists what is still missing or wrong
#   safeguards diff THIS-FILE       previews what merging it would change
# Ids of new entries are assigned at merge time; never write one yourself.
"""


def needs_parent(kind: str) -> bool:
    return kind in ("practice", "process", "edit", "deprecate")


def _label(entry: Any) -> str:
    for name in ("text", "name", "title"):
        value = getattr(entry, name, None)
        if isinstance(value, str):
            return " ".join(value.split())
    return "(text not in the sources)"


def parent_choices(framework: Framework, kind: str) -> list[tuple[str, str]]:
    """(id, what it is) of every valid parent/target for ``kind``, in natural id order."""
    if kind == "practice":
        return [
            (i, _label(framework.processes[i]))
            for i in sorted_ids(framework.processes)
            if framework.processes[i].is_active
        ]
    if kind == "process":
        return [
            (i, _label(framework.principles[i]))
            for i in sorted_ids(framework.principles)
            if framework.principles[i].is_active
        ]
    if kind in ("edit", "deprecate"):
        return [
            (i, _label(table[i]))
            for k in Kind
            for table in (framework.table(k),)
            for i in sorted_ids(table)
            if table[i].is_active
        ]
    return []


def editable_fields(framework: Framework, target: str) -> list[str]:

    kind = framework.kind_of(target)
    return sorted(EDITABLE[kind]) if kind is not None else []


def _check_parent(framework: Framework, kind: str, parent: str | None) -> str:
    if parent is None:
        raise UsageError(f"--parent is required for --kind {kind}")
    valid = {i for i, _ in parent_choices(framework, kind)}
    if parent not in valid:
        what = {
            "practice": "an active process",
            "process": "a principle",
            "edit": "an active entry",
            "deprecate": "an active entry",
        }[kind]
        sample = ", ".join(sorted_ids(valid)[:15]) + (", ..." if len(valid) > 15 else "")
        raise UsageError(f"--parent {parent!r} is not {what} of the framework; valid: {sample}")
    return parent


def scaffold_data(framework: Framework, options: ScaffoldOptions) -> dict[str, Any]:
    if options.kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}; not {options.kind!r}")
    contributor: dict[str, Any] = {"name": options.name or ""}
    if options.github:
        contributor["github"] = options.github.removeprefix("@")
    return {
        "title": options.title or "",
        "contributors": [contributor],
        "licence": "CC-BY-SA-4.0",
        "licence_consent": options.agree_licence,
        "changes": [_change(framework, options)],
    }


def _change(framework: Framework, options: ScaffoldOptions) -> dict[str, Any]:
    """The one change of the file, every text left "" for the contributor to write."""
    kind, parent = options.kind, options.parent
    if kind == "practice":
        return {
            "op": "add-practice",
            "parent": _check_parent(framework, kind, parent),
            "text": "",
            "authorities": [],
            "stages": [],
        }
    if kind == "process":
        return {
            "op": "add-process",
            "placeholder": "$new-process",
            "principle": _check_parent(framework, kind, parent),
            "text": "",
            "risks": [],
            "authorities": [],
            "stages": [],
        }
    if kind == "kpi":
        return _kpi_change(options.area, options.phase)
    if kind == "reference":
        return {
            "op": "add-reference",
            "placeholder": "$new-reference",
            "title": "",
            "url": "",
            "kind": "reference",
        }
    if kind == "edit":
        return _edit_change(framework, _check_parent(framework, kind, parent), options.field)
    return {"op": "deprecate", "target": _check_parent(framework, kind, parent), "reason": ""}


def _kpi_change(area: str | None, phase: str | None) -> dict[str, Any]:
    if area not in KPI_AREAS or phase not in KPI_PHASES:
        raise UsageError(
            f"a KPI needs --area (one of {', '.join(KPI_AREAS)}) and --phase "
            f"(one of {', '.join(KPI_PHASES)})"
        )
    return {"op": "add-kpi", "area": area, "phase": phase, "text": ""}


def _edit_change(framework: Framework, target: str, field: str | None) -> dict[str, Any]:
    """An edit of ``field`` (default: the text, else the first editable field), its
    current value given as ``expected`` so that the edit is not stale when written."""
    fields = editable_fields(framework, target)
    chosen = field or ("text" if "text" in fields else fields[0])
    if chosen not in fields:
        raise UsageError(
            f"--field {chosen!r} cannot be edited on {target}; editable: {', '.join(fields)}"
        )
    current = getattr(framework.get(target), chosen, None)
    return {
        "op": "edit",
        "target": target,
        "field": chosen,
        "expected": list(current) if isinstance(current, list) else current,
        "value": list(current or []) if chosen in LIST_FIELDS else "",
    }


def render_scaffold(data: dict[str, Any]) -> str:
    return HEADER + dump_yaml(data)


def default_name(data: dict[str, Any], kind: str, parent: str | None) -> str:
    base = data.get("title") or (f"{kind}-{parent}" if parent else kind)
    text = unicodedata.normalize("NFKD", str(base)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or kind


@dataclass(frozen=True)
class NewContribution:
    path: Path | None  # None: printed, not written
    text: str


def free_path(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}.yaml"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}.yaml"
        number += 1
    return candidate
