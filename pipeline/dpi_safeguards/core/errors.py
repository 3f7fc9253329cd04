"""One exception base class; the CLI turns it into a message and an exit code in one place."""

from __future__ import annotations


class SafeguardsError(Exception):
    """An expected failure with a message for the user (exit 1: findings, refusals)."""

    exit_code = 1


class UsageError(SafeguardsError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2
