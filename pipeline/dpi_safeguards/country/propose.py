"""Proposing a country's own process or practice to the universal framework: a
contribution file (the same format contributors write), its provenance pointing back to
the country framework. The ids become placeholders: the universal framework assigns its
own at merge."""

from __future__ import annotations

from typing import Any

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.country.check import CountryCheck
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.models.framework import Practice, Process


def proposal_for(
    check: CountryCheck, entry_id: str, *, contributor: str, consent: bool
) -> Contribution:
    """A contribution adding the country's own ``entry_id`` (a process comes with its own
    practices) to the universal framework."""
    assert check.country is not None and check.pinned is not None and check.document
    country = check.country
    processes = {p.id: p for p in country.processes}
    practices = {p.id: p for p in country.practices}
    if entry_id not in processes and entry_id not in practices:
        own = ", ".join([*processes, *practices]) or "none"
        raise UsageError(
            f"{entry_id} is not one of the country's own processes or practices; they are: {own}"
        )
    changes: list[dict[str, Any]] = []
    if entry_id in processes:
        process = processes[entry_id]
        placeholder = _placeholder(entry_id)
        changes.append(_add_process(process, placeholder))
        for practice_id, practice in practices.items():
            if practice_id.rsplit(".", 1)[0] == entry_id:
                changes.append(_add_practice(practice, placeholder))
    else:
        practice = practices[entry_id]
        parent = entry_id.rsplit(".", 1)[0]
        if parent in processes:
            raise UsageError(
                f"{entry_id} is under the country's own process {parent}: propose {parent} "
                "(it brings its practices)"
            )
        changes.append(_add_practice(practice, parent))
    source = (
        f"Country framework '{country.title}' ({check.document.path}), its {entry_id}, "
        f"on universal v{check.pinned.version}"
    )
    return Contribution.model_validate(
        {
            "title": f"From {country.country}: {entry_id}",
            "contributors": [{"name": contributor}],
            "licence": "CC-BY-SA-4.0",
            "licence_consent": consent,
            "source": source,
            "changes": changes,
        }
    )


def _placeholder(entry_id: str) -> str:
    return "$" + entry_id.lower().replace(".", "-")


def _add_process(process: Process, placeholder: str) -> dict[str, Any]:
    return {
        "op": "add-process",
        "placeholder": placeholder,
        "principle": process.id.split(".", 1)[0],
        "text": process.text,
        "risks": process.risks,
        "authorities": process.authorities,
        "stages": process.stages,
        "references": process.references,
    }


def _add_practice(practice: Practice, parent: str) -> dict[str, Any]:
    change: dict[str, Any] = {"op": "add-practice", "parent": parent, "text": practice.text}
    for name in ("authorities", "stages", "references"):
        if getattr(practice, name):
            change[name] = getattr(practice, name)
    return change
