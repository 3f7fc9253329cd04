"""The scope of a contribution pull request (`safeguards check-pr --base REF`).

A contributor's pull request may only add or change files in ``contributions/proposed/``,
and a translator's a language's catalogue, ``translations/<lang>.po`` (CODEOWNERS names its
reviewers; the template and the settings beside it are the maintainers'). Anything else
it touches (the framework, releases, other contribution states, the
pipeline, the workflows) is a finding naming the file, unless a maintainer says
``--allow-maintainer-paths``. Each contribution file it adds or changes is summarised
(its operations and their targets), so a pull request titled "add one practice" that also
edits another entry shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import git
from pydantic import ValidationError

from dpi_safeguards.check.validate import CONTRIBUTION_MAX_BYTES
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.models.contribution import AddKpi, AddProcess, AddReference, Contribution
from dpi_safeguards.store.git import _repo, resolve_commit
from dpi_safeguards.store.reader import LoadError, load_document

PROPOSED = "contributions/proposed/"
TRANSLATIONS = "translations/"
CONTRIBUTION_SUFFIXES = (".yaml", ".yml", ".json")
STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "T": "type changed"}


@dataclass(frozen=True)
class PathFinding:
    path: str
    status: str
    message: str


@dataclass(frozen=True)
class ContributionSummary:
    path: str
    status: str
    title: str | None
    operations: list[str]
    problem: str | None = None


@dataclass
class ScopeReport:
    base: str
    head: str
    findings: list[PathFinding] = field(default_factory=list)
    contributions: list[ContributionSummary] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0


def changed_paths(root: Path, base: str, head: str = "HEAD") -> list[tuple[str, str, str | None]]:
    """(status letter, path, old path for a rename) of every file changed between the merge
    base of ``base`` and ``head``, and ``head`` (git diff base...head)."""

    repo = _repo(root)
    base_sha, head_sha = resolve_commit(root, base), resolve_commit(root, head)
    try:
        merge_bases = repo.merge_base(base_sha, head_sha)
    except git.GitCommandError as exc:
        raise SafeguardsError(f"cannot compare {base} with {head}: {exc.stderr.strip()}") from None
    if not merge_bases:
        raise SafeguardsError(f"{base} and {head} have no common ancestor")
    changes: list[tuple[str, str, str | None]] = []
    for diff in merge_bases[0].diff(repo.commit(head_sha), find_renames=True):
        letter = (diff.change_type or "M")[0]
        if letter == "D":
            changes.append((letter, str(diff.a_path), None))
        elif letter == "R":
            changes.append((letter, str(diff.b_path), str(diff.a_path)))
        else:
            changes.append((letter, str(diff.b_path), None))
    return sorted(changes, key=lambda c: c[1])


def summarise(root: Path, relative: str, status: str) -> ContributionSummary:
    """Title and operations of one contribution file (read safely, as validate does)."""

    try:
        document = load_document(
            root / relative, max_bytes=CONTRIBUTION_MAX_BYTES, display=relative
        )
        contribution = Contribution.model_validate(document.data)
    except LoadError as exc:
        return ContributionSummary(relative, status, None, [], f"{exc.code}: {exc.message}")
    except ValidationError:
        return ContributionSummary(
            relative, status, None, [], "not a valid contribution (see safeguards validate)"
        )
    operations = []
    for change in contribution.changes:
        if isinstance(change, AddProcess):
            operations.append(f"add-process under {change.principle}")
        elif isinstance(change, AddKpi):
            operations.append(f"add-kpi KPI-{change.area}-{change.phase}")
        elif isinstance(change, AddReference):
            operations.append("add-reference")
        elif hasattr(change, "parent"):
            operations.append(f"{change.op} under {change.parent}")
        else:
            target = getattr(change, "target", "?")
            detail = f".{change.field}" if hasattr(change, "field") else ""
            operations.append(f"{change.op} {target}{detail}")
    return ContributionSummary(relative, status, contribution.title, operations)


def _catalogue_file(path: str) -> bool:
    rest = path[len(TRANSLATIONS) :]
    return path.startswith(TRANSLATIONS) and "/" not in rest and rest.endswith(".po")


def check_scope(
    workspace: Workspace, base: str, head: str = "HEAD", *, allow_maintainer_paths: bool = False
) -> ScopeReport:
    report = ScopeReport(base, head)
    for letter, path, old in changed_paths(workspace.root, base, head):
        status = STATUS.get(letter, letter)
        in_proposed = path.startswith(PROPOSED) and "/" not in path[len(PROPOSED) :]
        contribution_file = in_proposed and path.lower().endswith(CONTRIBUTION_SUFFIXES)
        if contribution_file and letter in ("A", "M") and (workspace.root / path).is_file():
            report.contributions.append(summarise(workspace.root, path, status))
            continue
        if _catalogue_file(path) and letter in ("A", "M"):
            continue
        if allow_maintainer_paths:
            continue
        if contribution_file:
            why = f"is {status}" + (f" (from {old})" if old else "")
            message = (
                f"{why}; a contribution pull request may only add new files or change "
                f"its own files in {PROPOSED}"
            )
        else:
            message = (
                f"is {status}, outside {PROPOSED}; a contribution pull request may only add "
                f"or change files in {PROPOSED}, a translation one {TRANSLATIONS}<lang>.po "
                "(a maintainer's change: --allow-maintainer-paths)"
            )
        report.findings.append(PathFinding(path, status, message))
    return report
