from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dpi_safeguards.cli.commands import file_output, format_option, workspace_of

if TYPE_CHECKING:
    from dpi_safeguards.forge.issue_form import Problem

BODY_MAX_BYTES = 1_000_000


@click.command()
@click.argument("body_file", metavar="ISSUE_BODY.md", type=click.Path(path_type=Path))
@file_output(
    "Contribution file to create ('-': print it, write nothing). Default: "
    "contributions/proposed/<slug>.yaml. An existing file is never replaced."
)
@click.option("--title", default=None, help="The issue title (becomes the contribution title).")
@click.option("--github", default=None, help="The issue author's GitHub login (credited).")
@click.option("--issue", type=click.IntRange(min=1), default=None, help="The issue number.")
@format_option(
    "text", "github", help="How problems are printed; 'github' prints workflow annotations."
)
@click.option(
    "--problems",
    "problems_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the problems as a Markdown comment for the contributor to this file.",
)
@click.pass_context
def command(
    ctx: click.Context,
    body_file: Path,
    output: str | None,
    title: str | None,
    github: str | None,
    issue: int | None,
    fmt: str,
    problems_file: Path | None,
) -> int:
    """Turn an issue made with the 'Propose a practice' form into a contribution file.

    ISSUE_BODY.md is the issue's body as GitHub renders the form ('-' reads standard
    input). The file is checked with the same validation as 'safeguards validate' before
    it is written. Exit 0 written, 1 problems (each named by its form label), 2 usage.
    """
    from dpi_safeguards import api
    from dpi_safeguards.forge.issue_form import IntakeError

    workspace = workspace_of(ctx)
    reporter = _Reporter(fmt, problems_file)
    data = _read_body(body_file)
    # An oversized or non-UTF-8 body is a problem of the issue (exit 1, told to the
    # contributor), not a usage error: it is checked before any parsing.
    if len(data) > BODY_MAX_BYTES:
        return reporter.refuse(f"the issue is larger than {BODY_MAX_BYTES:,} bytes")
    try:
        body = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return reporter.refuse(f"the issue is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    to_stdout = output == "-"
    try:
        options = api.IntakeOptions(
            title=title,
            github=github,
            issue=issue,
            output=None if output is None or to_stdout else Path(output),
            write=not to_stdout,
        )
        result = api.intake(workspace, body, options)
    except IntakeError as exc:
        return reporter.refuse_all(exc.problems)
    reporter.warn(result.warnings)
    if to_stdout:
        click.echo(result.text, nl=False)
    else:
        assert result.path is not None
        click.echo(f"wrote {workspace.display(result.path)}")
    return 0


def _read_body(body_file: Path) -> bytes:
    """At most one byte past the limit, so an oversized body is seen without reading it all."""
    from dpi_safeguards.core.errors import UsageError

    if str(body_file) == "-":
        return sys.stdin.buffer.read(BODY_MAX_BYTES + 1)
    if not body_file.is_file():
        raise UsageError(f"{body_file}: no such file")
    with body_file.open("rb") as handle:
        return handle.read(BODY_MAX_BYTES + 1)


class _Reporter:
    """Problems printed as text or workflow annotations, and (``problems_file``) written
    as a comment for the contributor."""

    def __init__(self, fmt: str, problems_file: Path | None) -> None:
        self.fmt = fmt
        self.problems_file = problems_file

    def show(self, problems: Sequence[Problem], level: str) -> None:
        from dpi_safeguards.core.findings import workflow_message

        for problem in problems:
            if self.fmt == "github":
                click.echo(f"::{level} title=Intake::{workflow_message(str(problem))}")
            else:
                click.echo(f"{level}: {problem}", err=True)

    def _comment(self, text: str) -> None:
        from dpi_safeguards.store.writer import atomic_write

        if self.problems_file is not None:
            atomic_write(self.problems_file, text)

    def refuse(self, message: str) -> int:
        from dpi_safeguards.forge.issue_form import Problem

        return self.refuse_all([Problem("Form", message)])

    def refuse_all(self, problems: Sequence[Problem]) -> int:
        self.show(problems, "error")
        self._comment(problems_markdown(problems))
        click.echo(f"{len(problems)} problem(s); nothing written", err=True)
        return 1

    def warn(self, warnings: Sequence[Problem]) -> None:
        self.show(warnings, "warning")
        self._comment(problems_markdown(warnings) if warnings else "")


def problems_markdown(problems: Sequence[object]) -> str:
    """A comment for the contributor: their text is shown inside a fence, never as Markdown
    (no mentions, links or HTML of theirs are rendered)."""
    lines = "\n".join(f"- {p}" for p in problems)
    longest = max((len(run) for run in _backtick_runs(lines)), default=0)
    fence = "`" * max(3, longest + 1)
    return (
        "The form could not be turned into a contribution yet. Please edit the issue "
        "(the ... menu, then Edit) and fix these fields; a reviewer will try again.\n\n"
        f"{fence}text\n{lines}\n{fence}\n"
    )


def _backtick_runs(text: str) -> list[str]:
    runs: list[str] = []
    current = ""
    for char in text:
        if char == "`":
            current += char
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs
