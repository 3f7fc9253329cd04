"""Findings, the report that collects them, and reporters chosen by name."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from dpi_safeguards.core.ids import natural_key
from dpi_safeguards.core.text import defuse_mentions


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def sort_key(self) -> tuple[object, ...]:
        return (
            self.file or "",
            self.line or 0,
            self.column or 0,
            natural_key(self.code),
            self.field or "",
            self.message,
        )


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    framework_files: int = 0
    strict: bool = False

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def sorted(self) -> list[Finding]:
        unique = {f: None for f in self.findings}
        return sorted(unique, key=Finding.sort_key)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if self.counts_as_error(f)]

    def counts_as_error(self, finding: Finding) -> bool:
        return finding.severity is Severity.ERROR or self.strict

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def _where(f: Finding) -> str:
    if f.file is None:
        return "(framework)"
    if f.line is None:
        return f.file
    return f"{f.file}:{f.line}:{f.column or 1}"


def render_text(report: Report) -> str:
    lines = []
    for f in report.sorted():
        at = f" [{f.field}]" if f.field else ""
        lines.append(f"{_where(f)}: {f.severity.value} {f.code}{at}: {f.message}")
    errors = sum(1 for f in report.sorted() if f.severity is Severity.ERROR)
    warnings = len(report.sorted()) - errors
    checked = f"{report.files_checked} file(s) checked"
    if report.framework_files and report.files_checked != report.framework_files:
        checked = (
            f"{report.files_checked - report.framework_files} contribution file(s) and "
            f"{report.framework_files} framework file(s) checked"
        )
    summary = f"{checked}: {errors} error(s), {warnings} warning(s)" + (
        " (--strict: warnings count as errors)" if report.strict and warnings else ""
    )
    lines.append(summary if lines else f"{summary}; all clean")
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    payload = {
        "files_checked": report.files_checked,
        "framework_files": report.framework_files,
        "strict": report.strict,
        "exit_code": report.exit_code,
        "findings": [
            {k: v for k, v in asdict(f).items() if v is not None} for f in report.sorted()
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def escape_workflow_data(text: str) -> str:
    """Escape a value for a GitHub workflow command, so contributed text cannot end the
    command early or start a new one (``::error::`` inside a message stays data)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_message(text: str) -> str:
    """A workflow command's message: escaped, and @-mentions defused (a zero-width joiner
    after the '@'), since contributed text reaches logs and job summaries."""

    return defuse_mentions(escape_workflow_data(text))


def escape_workflow_property(text: str) -> str:
    return escape_workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    lines = []
    for f in report.sorted():
        level = "error" if report.counts_as_error(f) else "warning"
        props = []
        if f.file:
            props.append(f"file={escape_workflow_property(f.file)}")
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={escape_workflow_property(f.code)}")
        at = f" [{f.field}]" if f.field else ""
        lines.append(f"::{level} {','.join(props)}::{workflow_message(f.message + at)}")
    lines.append(render_text(report).splitlines()[-1])
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}
