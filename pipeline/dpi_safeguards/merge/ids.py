"""Ids for merged entries, assigned by the tool, never by contributors: the next number
under the parent (a practice under its process, a process under its principle, a KPI
within its ``KPI-<AREA>-<PHASE>`` family, a reference after ``REF-``), counting
deprecated entries, and above every id that any git commit's framework or any release's
``framework.json`` ever held, so an id is never reused."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.ids import Kind, kind_of, last_number
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.models.framework import (
    TABLE_NAMES,
    Framework,
)
from dpi_safeguards.store.git import ids_in_history


def family_of(entry_id: str) -> str | None:
    """The numbering family an id belongs to (F3.1.2 -> F3.1, KPI-PEO-DES-3 -> KPI-PEO-DES)."""
    kind = kind_of(entry_id)
    if kind in (Kind.PROCESS, Kind.PRACTICE):
        return entry_id.rsplit(".", 1)[0]
    if kind in (Kind.KPI, Kind.REFERENCE):
        return entry_id.rsplit("-", 1)[0]
    return None


class IdAllocator:
    """Hands out the next free number of each family; linear in the number of used ids."""

    def __init__(self, used: Iterable[str] = ()) -> None:
        self._top: dict[str, int] = {}
        for entry_id in used:
            self.reserve(entry_id)

    def reserve(self, entry_id: str) -> None:
        family = family_of(entry_id)
        if family is not None:
            self._top[family] = max(self._top.get(family, 0), last_number(entry_id))

    def allocate(self, family: str, separator: str) -> str:
        number = self._top.get(family, 0) + 1
        self._top[family] = number
        return f"{family}{separator}{number}"


def release_ids(workspace: Workspace) -> set[str]:
    """Every id held by a release's framework.json (releases/*/framework.json)."""

    ids: set[str] = set()
    if not workspace.releases_dir.is_dir():
        return ids
    for file in sorted(workspace.releases_dir.glob("*/framework.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SafeguardsError(
                f"{workspace.display(file)} cannot be read ({exc}); merge needs every "
                "release's ids so that none is reused"
            ) from None
        if not isinstance(data, dict):
            continue
        for key in TABLE_NAMES.values():
            for item in data.get(key) or []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.add(item["id"])
    return ids


def used_ids(workspace: Workspace, framework: Framework) -> set[str]:
    """Ids never to hand out again: the framework's (deprecated ones too), git history's,
    and every release's."""

    ids = {entry_id for kind in Kind for entry_id in framework.table(kind)}
    # Outside a git repository the framework and the releases are all there is.
    with contextlib.suppress(SafeguardsError):
        ids |= ids_in_history(workspace.root)
    return ids | release_ids(workspace)
