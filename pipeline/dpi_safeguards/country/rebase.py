"""Rebasing a country framework onto a newer universal release.

What it reports, for the country's selection: every selected process or practice the new
release changed, deprecated (with what replaces it, from the new release's id map) or no
longer selects, and every entry the new release adds that the selection's filters take.

What it applies: the new pin (version and checksum), and every id the file names (a
selector's ids, an exclusion, a tracking key) that the id map replaces by exactly one
current id. The file is edited in place, value by value, so its comments and layout stay;
the country's own processes and practices are never touched. Anything else is a conflict:
an id deprecated with no or several replacements, a local entry under a deprecated
parent, or any error of the rebased file against the new release. On a conflict nothing
is written and every conflict is listed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from dpi_safeguards.changes.diff import field_changes
from dpi_safeguards.changes.id_map import build_id_map
from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.core.findings import Report, render_text
from dpi_safeguards.core.ids import sorted_ids
from dpi_safeguards.country.check import CountryCheck, check_document, checked_country
from dpi_safeguards.country.effective import effective_framework
from dpi_safeguards.country.pin import PinError, PinnedRelease, framework_json_of, load_pinned
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.changes import IdMapEntry
from dpi_safeguards.models.country import CountryFile, Upstream
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.release.bump import Version
from dpi_safeguards.store.reader import Document, JsonPath, parse_text
from dpi_safeguards.store.writer import atomic_write

# A replacement by exactly one current id of these relations is applied without asking.
_SAFE_RELATIONS = frozenset({"moved", "merged", "renumbered"})


@dataclass(frozen=True)
class RebaseItem:
    id: str
    change: str  # changed, deprecated, moved, merged, split, renumbered, dropped, new
    detail: str


@dataclass(frozen=True)
class Rewrite:
    where: str  # the field, as findings name it
    old: str
    new: str


@dataclass
class RebaseResult:
    file: str
    from_version: str
    to_version: str
    items: list[RebaseItem] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.conflicts else 0


def rebase_country(
    path: Path, releases_dir: Path, to_version: str, *, dry_run: bool = False
) -> RebaseResult:
    check = checked_country(path, releases_dir)
    assert check.country is not None and check.pinned is not None and check.document
    country, old = check.country, check.pinned
    if Version.parse(to_version) <= Version.parse(old.version):
        raise UsageError(
            f"--to {to_version} is not later than the pinned release {old.version}; "
            "a rebase moves to a newer universal release"
        )
    target = str(Version.parse(to_version))
    try:
        new_path = framework_json_of(releases_dir, target)
    except PinError as error:
        raise UsageError(f"--to {to_version}: {error}") from None
    digest = hashlib.sha256(new_path.read_bytes()).hexdigest()
    new = load_pinned(releases_dir, Upstream(version=target, sha256=digest))
    result = RebaseResult(check.document.path, old.version, target)
    id_map = build_id_map(new.framework, target).lookup()
    result.items = _report(check, new, id_map)
    edits = _pin_edits(check.document, target, digest)
    edits += _id_edits(check.document, country, id_map, result)
    _local_conflicts(country, id_map, result)
    if result.conflicts:
        return result
    text = _apply(check.document.text, edits)
    rebased = check_document(parse_text(text, check.document.path, is_json=False), releases_dir)
    errors = rebased.report.errors
    if errors:
        listing = render_text(Report(findings=errors, files_checked=1))
        result.conflicts += listing.splitlines()[:-1]
        return result
    if not dry_run:
        atomic_write(Path(check.document.path), text)
        result.written = True
    return result


def _kept(check: CountryCheck) -> set[str]:
    assert check.effective is not None
    effective = check.effective
    return (effective.selected - effective.excluded) - effective.local


def _report(
    old: CountryCheck, new: PinnedRelease, id_map: dict[str, IdMapEntry]
) -> list[RebaseItem]:
    assert old.country is not None and old.pinned is not None
    upstream = old.pinned.framework
    was = _kept(old)
    now_effective = effective_framework(old.country, new.framework, [new.source])
    now = (now_effective.selected - now_effective.excluded) - now_effective.local
    items: list[RebaseItem] = []
    for entry_id in sorted_ids(was):
        before, after = _entry(upstream, entry_id), _entry(new.framework, entry_id)
        mapped = id_map.get(entry_id)
        if mapped is not None and before is not None and before.deprecated is None:
            instead = ", ".join(mapped.current) or "nothing"
            items.append(RebaseItem(entry_id, mapped.relation, f"{mapped.reason} (use: {instead})"))
        elif entry_id in now and before is not None and after is not None:
            fields = [f.field for f in field_changes(before, after)]
            if fields:
                items.append(RebaseItem(entry_id, "changed", ", ".join(fields)))
        elif entry_id not in now:
            items.append(RebaseItem(entry_id, "dropped", "no selector selects it any more"))
    for entry_id in sorted_ids(now - was):
        what = "added upstream" if _entry(upstream, entry_id) is None else "now selected"
        items.append(RebaseItem(entry_id, "new", f"{what}; it matches the selection"))
    return items


def _entry(fw: Framework, entry_id: str) -> Entry | None:
    return fw.processes.get(entry_id) or fw.practices.get(entry_id)


def _pin_edits(document: Document, version: str, digest: str) -> list[tuple[int, str, str]]:
    data = document.data["upstream"]
    return [
        _value_edit(document, ("upstream", "version"), str(data["version"]), version),
        _value_edit(document, ("upstream", "sha256"), str(data["sha256"]), digest),
    ]


def _id_edits(
    document: Document,
    country: CountryFile,
    id_map: dict[str, IdMapEntry],
    result: RebaseResult,
) -> list[tuple[int, str, str]]:
    edits: list[tuple[int, str, str]] = []
    named: list[tuple[JsonPath, str]] = []
    for index, selector in enumerate(country.select):
        named += [(("select", index, "ids", i), v) for i, v in enumerate(selector.ids)]
    named += [(("exclude", index, "id"), e.id) for index, e in enumerate(country.exclude)]
    for path, old_id in named:
        replacement = _replacement(old_id, id_map, ".".join(map(str, path)), result)
        if replacement is not None:
            edits.append(_value_edit(document, path, old_id, replacement))
    for key in country.tracking:
        replacement = _replacement(key, id_map, f"tracking.{key}", result)
        if replacement is None:
            continue
        if replacement in country.tracking:
            result.conflicts.append(
                f"tracking.{key}: {key} is replaced by {replacement}, which is tracked "
                "already; merge the two entries by hand"
            )
            continue
        edits.append(_key_edit(document, key, replacement))
    return edits


def _replacement(
    old_id: str, id_map: dict[str, IdMapEntry], where: str, result: RebaseResult
) -> str | None:
    mapped = id_map.get(old_id)
    if mapped is None:
        return None
    if len(mapped.current) == 1 and mapped.relation in _SAFE_RELATIONS:
        result.rewrites.append(Rewrite(where, old_id, mapped.current[0]))
        return mapped.current[0]
    options = ", ".join(mapped.current) if mapped.current else "no current replacement"
    result.conflicts.append(
        f"{where}: {old_id} is {mapped.relation} in v{result.to_version} ({mapped.reason}; "
        f"{options}); choose what to name instead"
    )
    return None


def _local_conflicts(
    country: CountryFile, id_map: dict[str, IdMapEntry], result: RebaseResult
) -> None:
    for index, practice in enumerate(country.practices):
        parent = practice.id.rsplit(".", 1)[0]
        mapped = id_map.get(parent)
        if mapped is not None:
            instead = ", ".join(mapped.current) or "no current replacement"
            result.conflicts.append(
                f"practices[{index}]: the country's own {practice.id} is under {parent}, "
                f"which is {mapped.relation} in v{result.to_version} ({instead}); give it an "
                "id under the process it belongs to now"
            )


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def _value_edit(document: Document, path: JsonPath, old: str, new: str) -> tuple[int, str, str]:
    position = document.locate(path)
    assert position is not None, path
    offset = _offset(document.text, *position)
    if document.text[offset] in "'\"":
        offset += 1
    if document.text[offset : offset + len(old)] != old:
        raise UsageError(f"{document.path}: cannot find {old} at {position}; rewrite it by hand")
    return offset, old, new


def _key_edit(document: Document, key: str, new: str) -> tuple[int, str, str]:
    tracking = document.locate(("tracking",))
    assert tracking is not None
    after = _offset(document.text, tracking[0], 1)
    pattern = re.compile(rf"^[ \t]*(['\"]?){re.escape(key)}\1[ \t]*:", re.MULTILINE)
    # A key sits on the line before its value's; search from a little before the mapping.
    found = pattern.search(document.text, max(0, document.text.rfind("\n", 0, after)))
    if found is None:
        raise UsageError(f"{document.path}: cannot find the key tracking.{key}; rewrite it by hand")
    return found.start() + found.group(0).index(key), key, new


def _apply(text: str, edits: list[tuple[int, str, str]]) -> str:
    """Each edit replaces ``old`` at its offset; applied from the end so offsets hold."""
    for offset, old, new in sorted(edits, reverse=True):
        text = text[:offset] + new + text[offset + len(old) :]
    return text
