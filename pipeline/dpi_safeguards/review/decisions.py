"""Recording a review decision and moving the contribution to its new state.

Reviewers are listed in ``contributions/reviewers.yaml`` (schema ``reviewers.schema.json``)::

    approvals_required: 1
    reviewers:
    - name: Ada Lovelace
      github: ada-l

A reviewer is named by name or GitHub handle (compared case-insensitively after NFKC
normalisation, a leading '@' ignored). Refused, with nothing changed (exit 1): an unknown
reviewer, a reviewer who is one of the contribution's contributors, a second decision by
the same reviewer, a contribution not in ``proposed/`` (one in ``accepted/`` may still be
rejected), and accepting a contribution that does not validate cleanly against the
current framework (errors, or a stale edit).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.changes.contributions import (
    LoadedContribution,
    check_free,
    describe_findings,
    load_contribution,
    move,
    require_state,
    state_of,
    target_in,
)
from dpi_safeguards.check.rules.contribution import build_text_index
from dpi_safeguards.check.rules.indexing import text_problem
from dpi_safeguards.check.rules.schema import schema_findings
from dpi_safeguards.check.validate import checked_framework, contribution_findings
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.options import Decision, ReviewOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.models.contribution import Contribution, ReviewRecord
from dpi_safeguards.models.reviewers import Reviewer, ReviewersFile
from dpi_safeguards.store.lock import repository_lock
from dpi_safeguards.store.reader import LoadError, load_document
from dpi_safeguards.store.transaction import recover

REVIEWERS_FILE = "reviewers.yaml"
# Warnings that still stop an accept: a stale edit would be refused by the merge anyway.
BLOCKING_WARNINGS = frozenset({"CON004"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_date(value: str | None) -> str:
    """A YYYY-MM-DD date (today when None); a usage error otherwise."""
    if value is None:
        return dt.date.today().isoformat()
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r} is not a date of the form YYYY-MM-DD") from None
    return value


def identity(value: str) -> str:
    """The form names and handles are compared in."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split()).removeprefix("@")


def reviewers_path(workspace: Workspace) -> Path:
    return workspace.contributions_dir / REVIEWERS_FILE


def load_reviewers(workspace: Workspace) -> ReviewersFile:
    path = reviewers_path(workspace)
    shown = workspace.display(path)
    if not path.exists():
        raise SafeguardsError(
            f"{shown} does not exist; list the reviewers there, e.g.\n"
            "  approvals_required: 1\n  reviewers:\n  - name: Ada Lovelace\n    github: ada-l"
        )
    try:
        document = load_document(path, display=shown)
    except LoadError as exc:
        raise SafeguardsError(str(exc)) from None
    try:
        return ReviewersFile.model_validate(document.data)
    except ValidationError as exc:
        findings = list(schema_findings(document, exc))
        raise SafeguardsError(
            f"{shown} does not fit reviewers.schema.json:\n{describe_findings(findings)}"
        ) from None


def find_reviewer(reviewers: ReviewersFile, who: str, shown: str) -> Reviewer:
    key = identity(who)
    for reviewer in reviewers.reviewers:
        if key == identity(reviewer.name) or (
            reviewer.github is not None and key == identity(reviewer.github)
        ):
            return reviewer
    names = ", ".join(
        f"{r.name} (@{r.github})" if r.github else r.name for r in reviewers.reviewers
    )
    raise SafeguardsError(f"{who!r} is not a reviewer listed in {shown}; reviewers: {names}")


def is_contributor(reviewer: Reviewer, contribution: Contribution) -> bool:
    mine = {identity(reviewer.name)} | ({identity(reviewer.github)} if reviewer.github else set())
    for person in contribution.contributors:
        theirs = {identity(person.name)} | ({identity(person.github)} if person.github else set())
        if mine & theirs:
            return True
    return False


def approvals(contribution: Contribution) -> list[str]:
    """The distinct reviewers who accepted, in the order they did."""
    seen: dict[str, str] = {}
    for record in contribution.reviews:
        if record.decision == "accept":
            seen.setdefault(identity(record.reviewer), record.reviewer)
    return list(seen.values())


def valid_approvals(settings: ReviewersFile, contribution: Contribution) -> list[str]:
    """The approvals that count: by a listed reviewer who is not a contributor (a file
    edited or moved by hand cannot approve itself)."""
    counted = []
    for name in approvals(contribution):
        try:
            person = find_reviewer(settings, name, REVIEWERS_FILE)
        except SafeguardsError:
            continue
        if not is_contributor(person, contribution):
            counted.append(person.name)
    return counted


@dataclass(frozen=True)
class ReviewResult:
    source: Path
    path: Path  # where the contribution is now
    state: str
    record: ReviewRecord
    approvals: int
    required: int


def validation_errors(workspace: Workspace, loaded: LoadedContribution) -> str | None:
    """The contribution's errors against the current framework, or None when clean."""

    framework = load_framework(workspace.framework_dir, display_base=workspace.root)
    checked_framework(framework, "the framework")
    findings = [
        f
        for f in contribution_findings(
            loaded.path, framework, build_text_index(framework.framework), loaded.shown
        )
        if f.severity is Severity.ERROR or f.code in BLOCKING_WARNINGS
    ]
    return describe_findings(findings) if findings else None


def review(workspace: Workspace, path: Path, options: ReviewOptions) -> ReviewResult:
    """Record ``decision`` by ``reviewer`` on a proposed contribution and move it (under the
    repository lock, so it cannot interleave with a merge)."""

    day = check_date(options.date)
    with repository_lock(workspace.root, "review"):
        recover(workspace.root, [workspace.framework_dir, workspace.contributions_dir])
        return _review_locked(
            workspace, path, options.decision, options.reviewer, options.note, day
        )


def _review_locked(
    workspace: Workspace,
    path: Path,
    decision: Decision,
    reviewer: str,
    note: str | None,
    day: str,
) -> ReviewResult:
    # An accepted contribution can still be rejected before it is merged (e.g. when a
    # near-duplicate of it was merged first), also by a reviewer who accepted it;
    # accepting happens only in proposed/.
    withdrawing = decision == "reject" and state_of(workspace, path) == "accepted"
    require_state(workspace, path, "accepted" if withdrawing else "proposed", "review")
    settings = load_reviewers(workspace)
    person = find_reviewer(settings, reviewer, workspace.display(reviewers_path(workspace)))
    loaded = load_contribution(workspace, path)
    contribution = loaded.contribution
    if is_contributor(person, contribution):
        raise SafeguardsError(
            f"{person.name} is a contributor of {loaded.shown} and cannot review it; "
            "another reviewer must decide"
        )
    if not withdrawing and any(
        identity(r.reviewer) == identity(person.name) for r in contribution.reviews
    ):
        raise SafeguardsError(f"{person.name} has already reviewed {loaded.shown}")
    if decision == "accept":
        problems = validation_errors(workspace, loaded)
        if problems:
            raise SafeguardsError(
                f"{loaded.shown} does not validate, so it cannot be accepted:\n{problems}"
            )
    if note is not None:
        problem = text_problem(note)
        if problem:
            raise UsageError(f"--note {problem}")
    try:
        record = ReviewRecord(reviewer=person.name, date=day, decision=decision, note=note)
    except ValidationError as exc:
        raise UsageError(f"the review note is not valid: {exc.errors()[0]['msg']}") from None
    updated = contribution.model_copy(update={"reviews": [*contribution.reviews, record]})
    accepted_by = approvals(updated)
    if decision == "reject":
        state = "rejected"
    elif len(accepted_by) >= settings.approvals_required:
        state = "accepted"
    else:
        state = "proposed"
    if state != "proposed":
        check_free(workspace, target_in(workspace, path, state))
    new_path = move(workspace, path, state, updated)
    return ReviewResult(
        path, new_path, state, record, len(accepted_by), settings.approvals_required
    )
