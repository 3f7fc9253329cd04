"""What every reader of untrusted files shares: the refusal, the path into a document,
and the nesting limit."""

from __future__ import annotations

from dataclasses import dataclass

JsonPath = tuple[str | int, ...]

MAX_DEPTH = 32


@dataclass
class LoadError(Exception):
    """A file that cannot be read safely; ``code`` is a stable finding code."""

    code: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column or 1}"
        return f"{where}: {self.code} {self.message}"
