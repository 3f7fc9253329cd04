"""Indexing and consistency rules: the registry and, imported here so that every rule is
registered whenever the rules are used, the rule modules."""

from dpi_safeguards.check.rules import contribution, indexing, schema
from dpi_safeguards.check.rules.registry import (
    CONTRIBUTION_RULES,
    COUNTRY_RULES,
    FRAMEWORK_RULES,
    OTHER_CODES,
    TRANSLATION_RULES,
    DocAt,
    EntryAt,
    Issue,
    LineAt,
    Location,
    Rule,
    all_codes,
    contribution_rule,
    country_rule,
    framework_rule,
    translation_rule,
)

__all__ = [
    "CONTRIBUTION_RULES",
    "COUNTRY_RULES",
    "FRAMEWORK_RULES",
    "OTHER_CODES",
    "TRANSLATION_RULES",
    "DocAt",
    "EntryAt",
    "Issue",
    "LineAt",
    "Location",
    "Rule",
    "all_codes",
    "contribution",
    "contribution_rule",
    "country_rule",
    "framework_rule",
    "indexing",
    "schema",
    "translation_rule",
]
