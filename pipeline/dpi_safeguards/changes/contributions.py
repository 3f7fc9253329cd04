"""A contribution's life cycle: the folder it sits in is its state.

```
contributions/proposed/  --review --accept (enough approvals)-->  contributions/accepted/
                         --review --reject-->                     contributions/rejected/
contributions/accepted/  --merge-->                               contributions/merged/
```

Every move is done by the tool and is a visible file move: the file is re-written
(canonically, with its new review or merge record) into the new folder and the old file
is removed, in one journaled transaction (:mod:`dpi_safeguards.store.transaction`). The tool
never stages or commits: a move shows in ``git status`` as one deleted and one new file,
for the reviewer or the workflow to commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.check.places import submodule_of
from dpi_safeguards.check.rules.schema import schema_findings
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.findings import Finding
from dpi_safeguards.core.workspace import CONTRIBUTION_STATES, Workspace
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.store.reader import Document, LoadError, load_document
from dpi_safeguards.store.transaction import Transaction
from dpi_safeguards.store.writer import atomic_write, dump_json, dump_yaml, to_data

CONTRIBUTION_MAX_BYTES = 1_000_000


@dataclass
class LoadedContribution:
    path: Path
    shown: str
    document: Document
    contribution: Contribution


def describe_findings(findings: list[Finding], limit: int = 10) -> str:
    lines = []
    for f in findings[:limit]:
        where = f.file or "(framework)"
        if f.line:
            where += f":{f.line}:{f.column or 1}"
        at = f" [{f.field}]" if f.field else ""
        lines.append(f"  {where}: {f.severity.value} {f.code}{at}: {f.message}")
    if len(findings) > limit:
        lines.append(f"  ... and {len(findings) - limit} more")
    return "\n".join(lines)


def load_contribution(workspace: Workspace, path: Path) -> LoadedContribution:
    """Read and schema-check one contribution; an error names file, line and field."""
    shown = workspace.display(path)
    try:
        document = load_document(path, max_bytes=CONTRIBUTION_MAX_BYTES, display=shown)
    except LoadError as exc:
        raise SafeguardsError(str(exc)) from None
    try:
        contribution = Contribution.model_validate(document.data)
    except ValidationError as exc:
        findings = list(schema_findings(document, exc))
        raise SafeguardsError(
            f"{shown} is not a valid contribution:\n{describe_findings(findings)}"
        ) from None
    return LoadedContribution(path, shown, document, contribution)


def state_of(workspace: Workspace, path: Path) -> str | None:
    """The state folder a contribution file sits in (directly), or None."""
    folder = path.resolve().parent
    for state in CONTRIBUTION_STATES:
        if folder == workspace.state_dir(state).resolve():
            return state
    return None


def require_state(workspace: Workspace, path: Path, expected: str, action: str) -> None:
    """Refuse a file that does not sit directly in ``expected``'s folder (a path that leaves
    the repository is refused before anything is read from it)."""
    inside = workspace.contributions_dir.resolve()
    if not path.resolve().is_relative_to(inside) and not path.is_symlink():
        folder = workspace.display(workspace.state_dir(expected))
        raise SafeguardsError(
            f"cannot {action} {path}: the path is outside contributions/; files to "
            f"{action} must be inside {folder}/"
        )
    if not path.is_file():
        raise UsageError(f"{workspace.display(path)} does not exist or is not a file")
    if path.is_symlink():
        link = path.parent.resolve() / path.name
        raise SafeguardsError(
            f"cannot {action} {workspace.display(link.parent)}/{path.name}: LOAD012 it is a "
            "symbolic link; commit the file itself"
        )
    nested = submodule_of(path)
    if nested is not None:
        raise SafeguardsError(
            f"cannot {action} {workspace.display(path)}: LOAD014 it is inside "
            f"{workspace.display(nested)}/, which "
            "holds a .git entry (a git submodule or nested repository); commit the "
            "contribution file itself"
        )
    state = state_of(workspace, path)
    if state != expected:
        where = f"in {state}/" if state else "outside the contributions/<state>/ folders"
        folder = workspace.display(workspace.state_dir(expected))
        raise SafeguardsError(
            f"cannot {action} {workspace.display(path)}: it is {where}; only contributions "
            f"in {folder}/ can be {action.rstrip('e')}ed"
        )


def render_contribution(contribution: Contribution, path: Path) -> str:
    """The canonical text of a contribution, YAML or JSON by the file's suffix."""
    data = to_data(contribution)
    return dump_json(data) if path.suffix.lower() == ".json" else dump_yaml(data)


def target_in(workspace: Workspace, path: Path, state: str) -> Path:
    return workspace.state_dir(state) / path.name


def check_free(workspace: Workspace, target: Path) -> None:
    if target.exists():
        raise SafeguardsError(
            f"cannot move the contribution to {workspace.display(target)}: a file of that "
            "name is already there; rename one of them"
        )


def move(workspace: Workspace, source: Path, state: str, contribution: Contribution) -> Path:
    """Write the contribution into ``state``'s folder and remove the old file, as one
    transaction (both happen, or, after a crash replayed by the next run, neither).

    When ``state`` is the one it is already in, the file is re-written in place.
    """

    target = target_in(workspace, source, state)
    if target.resolve() == source.resolve():
        atomic_write(source, render_contribution(contribution, source))
        return source
    check_free(workspace, target)
    transaction = Transaction(workspace.root)
    transaction.move(source, target, render_contribution(contribution, target))
    transaction.commit()
    return target
