"""What a user asks of each command family, as one object: built by the CLI (or a test),
passed through the facade unchanged, read by the module that does the work. Checks that
need nothing but the options themselves are made here, so every caller gets them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dpi_safeguards.core.errors import UsageError

Bump = Literal["auto", "major", "minor", "patch"]
BUMPS: tuple[Bump, ...] = ("auto", "major", "minor", "patch")
Decision = Literal["accept", "reject"]


@dataclass(frozen=True)
class ReleaseOptions:
    version: str | None = None  # X.Y.Z asked for; None: chosen by the bump rules
    bump: str | None = None  # one of BUMPS; None means auto
    date: str | None = None  # YYYY-MM-DD; None: today (UTC)
    dry_run: bool = False
    tag: bool = False
    allow_unmerged: bool = False
    # With dry_run: write the bundle here (a new or empty folder) to look at it; without
    # one, the bundle is built in a temp folder that is removed again.
    output: Path | None = None
    # The signing keys, when releases/ is signed (TUF): the release is signed before it
    # is committed and tagged. None: $SAFEGUARDS_TUF_KEYS.
    keys: Path | None = None

    def __post_init__(self) -> None:
        if self.output is not None and not self.dry_run:
            raise UsageError("--output is for --dry-run (a release is written to releases/)")
        if self.version is not None and self.bump not in (None, "auto"):
            raise UsageError("give either --version or --bump, not both")
        if self.bump is not None and self.bump not in BUMPS:
            raise UsageError(f"--bump must be one of {', '.join(BUMPS)}; not {self.bump!r}")
        if self.dry_run and self.tag:
            raise UsageError("--dry-run and --tag cannot be combined")


@dataclass(frozen=True)
class MergeOptions:
    paths: tuple[Path, ...] = ()  # empty: every file in contributions/accepted/
    date: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class ReviewOptions:
    decision: Decision
    reviewer: str
    note: str | None = None
    date: str | None = None

    def __post_init__(self) -> None:
        if self.decision not in ("accept", "reject"):
            raise UsageError(f"decision must be 'accept' or 'reject', not {self.decision!r}")
        if not self.reviewer or not self.reviewer.strip():
            raise UsageError("name the reviewer (--reviewer NAME)")


@dataclass(frozen=True)
class ScaffoldOptions:
    kind: str
    parent: str | None = None
    title: str | None = None
    name: str | None = None
    github: str | None = None
    field: str | None = None
    area: str | None = None
    phase: str | None = None
    agree_licence: bool = False


@dataclass(frozen=True)
class IntakeOptions:
    title: str | None = None  # the issue's title
    github: str | None = None  # the issue's author, credited
    issue: int | None = None  # names the file issue-N-<slug>.yaml
    output: Path | None = None  # None: a free name in contributions/proposed/
    write: bool = True  # False: check only


@dataclass(frozen=True)
class CanvasOptions:
    """A knowledge-library selection: values of one dimension are ORed, dimensions ANDed;
    an empty one does not filter. ``release``: read a published release, not the working
    framework."""

    authorities: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()
    principles: tuple[str, ...] = ()
    release: str | None = None


@dataclass(frozen=True)
class CountryOptions:
    """A country framework (its folder or country.yaml) and where the universal releases
    are (None: the releases/ of the universal repository it sits in)."""

    path: Path
    upstream: Path | None = None
    version: str | None = None  # resolve: the label; release: X.Y.Z asked for
    bump: Bump | None = None  # release: as safeguards release --bump
    date: str | None = None  # resolve and release: YYYY-MM-DD (default: today)
    strict: bool = False  # validate: warnings count as errors
