"""The rule registry: what a rule is, what it yields, and the tables rules register in.

Each rule is a small function that yields :class:`Issue` s (a message and *what* it is
about); the runner attaches the file, line and column centrally, so no rule deals with
positions. Rules register themselves in one table with a stable code and a severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from dpi_safeguards.core.findings import Severity
from dpi_safeguards.store.reader import JsonPath


@dataclass(frozen=True)
class EntryAt:
    """A field of a framework entry, located through the framework's id index."""

    entry_id: str
    path: JsonPath = ()


@dataclass(frozen=True)
class DocAt:
    """A place in one document (a contribution, or a framework file)."""

    file: str
    path: JsonPath = ()


@dataclass(frozen=True)
class LineAt:
    """A line (and column) of a text file that is not YAML or JSON: a PO catalogue."""

    file: str
    line: int | None = None
    column: int | None = None


Location = EntryAt | DocAt | LineAt


@dataclass(frozen=True)
class Issue:
    message: str
    at: Location
    severity: Severity | None = None  # overrides the rule's default when set


Ctx = TypeVar("Ctx")


@dataclass(frozen=True)
class Rule(Generic[Ctx]):
    code: str
    severity: Severity
    title: str
    check: Callable[[Ctx], Iterator[Issue]]


FRAMEWORK_RULES: list[Rule[Any]] = []
CONTRIBUTION_RULES: list[Rule[Any]] = []
# Registered by dpi_safeguards.country.rules (a higher floor) when it is imported.
COUNTRY_RULES: list[Rule[Any]] = []
# Registered by dpi_safeguards.translations.rules when it is imported.
TRANSLATION_RULES: list[Rule[Any]] = []

# Codes raised outside rule functions (reading and schema checks), for the rule table.
OTHER_CODES: dict[str, str] = {
    "LOAD001": "file larger than the size limit",
    "LOAD002": "file is not valid UTF-8",
    "LOAD003": "file starts with a byte-order mark",
    "LOAD004": "file contains a control byte (NUL and others)",
    "LOAD005": "file is not valid YAML or JSON",
    "LOAD006": "duplicate key in a mapping",
    "LOAD007": "YAML tag, anchor/alias or second document",
    "LOAD008": "unquoted YAML value that YAML 1.1 and 1.2 read differently",
    "LOAD009": "nesting too deep",
    "LOAD010": "non-finite number (NaN, Infinity)",
    "LOAD011": "git conflict marker",
    "LOAD012": "symbolic link",
    "LOAD013": "file missing or unreadable",
    "LOAD014": "file inside a git submodule (or a nested repository) under contributions/",
    "SCH001": "required field missing",
    "SCH002": "unknown field",
    "SCH003": "wrong type",
    "SCH004": "value not among the allowed ones",
    "SCH005": "value too long, too short or of the wrong form",
    "IDX001": "id does not have the form its kind requires",
    "IDX005": "process without a text, risk, stage or authority",
    "CTY001": "pinned universal release missing, or not the one its checksum names",
    "TRN001": "catalogue is not a readable PO file",
}


def _register(
    table: list[Rule[Any]], code: str, severity: Severity, title: str
) -> Callable[[Callable[[Ctx], Iterator[Issue]]], Callable[[Ctx], Iterator[Issue]]]:
    def decorate(func: Callable[[Ctx], Iterator[Issue]]) -> Callable[[Ctx], Iterator[Issue]]:
        table.append(Rule(code, severity, title, func))
        return func

    return decorate


def framework_rule(
    code: str, severity: Severity, title: str
) -> Callable[[Callable[[Ctx], Iterator[Issue]]], Callable[[Ctx], Iterator[Issue]]]:
    return _register(FRAMEWORK_RULES, code, severity, title)


def contribution_rule(
    code: str, severity: Severity, title: str
) -> Callable[[Callable[[Ctx], Iterator[Issue]]], Callable[[Ctx], Iterator[Issue]]]:
    return _register(CONTRIBUTION_RULES, code, severity, title)


def country_rule(
    code: str, severity: Severity, title: str
) -> Callable[[Callable[[Ctx], Iterator[Issue]]], Callable[[Ctx], Iterator[Issue]]]:
    return _register(COUNTRY_RULES, code, severity, title)


def translation_rule(
    code: str, severity: Severity, title: str
) -> Callable[[Callable[[Ctx], Iterator[Issue]]], Callable[[Ctx], Iterator[Issue]]]:
    return _register(TRANSLATION_RULES, code, severity, title)


def all_codes() -> dict[str, str]:
    """Every finding code with its title (once the rule modules are imported, as
    importing :mod:`dpi_safeguards.check.rules` does, and the country rules once
    :mod:`dpi_safeguards.country.rules` and :mod:`dpi_safeguards.translations.rules` are
    imported: ``api.rule_codes`` imports them all)."""
    codes = dict(OTHER_CODES)
    for rule in (*FRAMEWORK_RULES, *CONTRIBUTION_RULES, *COUNTRY_RULES, *TRANSLATION_RULES):
        codes[rule.code] = rule.title
    return codes
