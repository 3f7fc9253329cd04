"""What the commands print with ``--format json``, as models: their JSON Schemas are
published (``validate-report``, ``verify-report``, ``rules``, ``stats``, ``entry``), so a
tool reading the output can check it. A test validates each command's real output."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dpi_safeguards.models.base import StrictModel


class FindingRecord(StrictModel):
    code: str = Field(description="The finding code (see 'safeguards rules').")
    severity: Literal["error", "warning"]
    message: str
    file: str | None = Field(default=None, description="The file, relative to the root.")
    line: int | None = Field(default=None, ge=1)
    column: int | None = Field(default=None, ge=1)
    field: str | None = Field(default=None, description="The field, e.g. changes[0].parent.")


class ValidationReport(StrictModel):
    """safeguards validate --format json."""

    files_checked: int = Field(ge=0)
    framework_files: int = Field(ge=0)
    strict: bool = Field(description="Whether warnings count as errors.")
    exit_code: Literal[0, 1]
    findings: list[FindingRecord] = Field(description="Sorted by file, line, column, code.")


class VerifyProblem(StrictModel):
    version: str
    path: str = Field(description="The file (or step, e.g. '(rebuild)') that differs.")
    message: str


CheckName = Literal["checksums", "rebuild", "signed", "attestation"]
CheckOutcome = Literal["ok", "failed", "skipped"]


class VerifyCheck(StrictModel):
    version: str
    check: CheckName
    outcome: CheckOutcome
    detail: str = Field(description="What was checked, against what, and what was found.")


class VerifyReport(StrictModel):
    """safeguards verify --format json."""

    ok: bool
    checked: list[str] = Field(description="The versions checked (X.Y.Z).")
    rebuilt: list[str] = Field(description="The versions also rebuilt from their git tag.")
    problems: list[VerifyProblem]
    checks: list[VerifyCheck] = Field(
        default_factory=list, description="Each check made, per version, and its outcome."
    )


class RuleRecord(StrictModel):
    code: str
    title: str


class RuleList(StrictModel):
    """safeguards rules --format json."""

    rules: list[RuleRecord] = Field(description="In natural code order.")


class StatsReport(StrictModel):
    """safeguards stats --format json: entries per kind."""

    active: dict[str, int]
    total: dict[str, int] = Field(description="Deprecated entries included.")
    project_assigned: dict[str, int] = Field(
        description="Entries whose id this project assigned (not the Guide)."
    )


class EntryReport(StrictModel):
    """safeguards show ID --format json."""

    id: str
    kind: str
    entry: dict[str, Any] = Field(description="The entry as framework.json holds it.")
    children: list[str] = Field(description="The ids filed under it, in natural order.")
