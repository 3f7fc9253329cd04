"""Semantic versions and the bump a change list requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.models.changes import ChangeList

Bump = Literal["major", "minor", "patch"]
BUMP_RANK: dict[str, int] = {"patch": 1, "minor": 2, "major": 3}
# Deprecating one of these changes what every downstream index is built on.
STRUCTURAL_KINDS = frozenset({"risk", "principle", "stage", "authority"})
_VERSION = re.compile(r"v?([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})")


class NothingToRelease(SafeguardsError):
    """The framework equals the latest release: a refusal for a release, news for a preview."""


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.fullmatch(text.strip())
        if match is None:
            raise UsageError(f"{text!r} is not a version: write X.Y.Z, e.g. 1.2.0")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def bumped(self, bump: Bump) -> Version:
        if bump == "major":
            return Version(self.major + 1, 0, 0)
        if bump == "minor":
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)

    def bump_from(self, previous: Version) -> Bump | None:
        """Which kind of step ``self`` is after ``previous``; None if it is not later."""
        if self <= previous:
            return None
        if self.major > previous.major:
            return "major"
        if self.minor > previous.minor:
            return "minor"
        return "patch"


@dataclass(frozen=True)
class BumpDecision:
    bump: Bump | None
    reasons: list[str]


def required_bump(
    changes: ChangeList,
    *,
    format_changed: bool = False,
    other_changes: bool = False,
    translations_changed: bool = False,
) -> BumpDecision:
    """The smallest bump the changes need (None: nothing changed).

    major: a risk, principle, stage or authority is deprecated (or moved), or the data
    format changed; minor: entries added or deprecated; patch: only texts or metadata.
    A removed entry is refused: released ids are never deleted.
    """
    removed = changes.of("removed")
    if removed:
        ids = ", ".join(c.id for c in removed[:10])
        raise SafeguardsError(
            f"{len(removed)} released entries were removed ({ids}); released ids are never "
            "deleted: restore them and deprecate them instead"
        )
    reasons: dict[Bump, list[str]] = {"major": [], "minor": [], "patch": []}
    if format_changed:
        reasons["major"].append("the data format (format_version) changed")
    for change in changes.changes:
        label = f"{change.kind} {change.id}"
        if change.change in ("deprecated", "moved"):
            target: Bump = "major" if change.kind in STRUCTURAL_KINDS else "minor"
            what = (
                "deprecated" if change.change == "deprecated" else f"moved from {change.moved_from}"
            )
            reasons[target].append(f"{label} {what}")
        elif change.change == "added":
            reasons["minor"].append(f"{label} added")
        else:
            reasons["patch"].append(f"{label} changed")
    if other_changes:
        reasons["patch"].append("metadata or provenance changed")
    if translations_changed:
        reasons["patch"].append("published translations changed")
    order: tuple[Bump, ...] = ("major", "minor", "patch")
    for bump in order:
        if reasons[bump]:
            return BumpDecision(bump, reasons[bump])
    return BumpDecision(None, [])


def choose_version(
    previous: str | None,
    decision: BumpDecision,
    *,
    version: str | None = None,
    bump: str | None = None,
) -> str:
    """The version to release: asked for (checked against the changes) or derived."""
    if version is not None and bump not in (None, "auto"):
        raise UsageError("give either --version or --bump, not both")
    if previous is None:
        return str(Version.parse(version)) if version is not None else "1.0.0"
    if decision.bump is None:
        raise NothingToRelease(f"nothing to release: nothing changed since {previous}")
    before = Version.parse(previous)
    needed: Bump = decision.bump
    step: Bump
    if version is not None:
        wanted = Version.parse(version)
        found = wanted.bump_from(before)
        if found is None:
            raise SafeguardsError(f"version {wanted} is not later than the latest release {before}")
        step = found
    else:
        if bump in (None, "auto"):
            step = needed
        elif bump in ("major", "minor", "patch"):
            step = bump  # type: ignore[assignment]
        else:
            raise UsageError(f"--bump must be auto, major, minor or patch, not {bump!r}")
        wanted = before.bumped(step)
    if BUMP_RANK[step] < BUMP_RANK[needed]:
        shown = "; ".join(decision.reasons[:5])
        more = f" and {len(decision.reasons) - 5} more" if len(decision.reasons) > 5 else ""
        raise SafeguardsError(
            f"version {wanted} is a {step} release after {before}, but the changes require a "
            f"{decision.bump} release ({shown}{more}); use "
            f"{before.bumped(needed)} or later"
        )
    return str(wanted)
