"""The published JSON Schemas (draft 2020-12), generated from the pydantic models.

The generated files are shipped inside the package (``dpi_safeguards/schemas/``) and published
in the repository's ``schemas/`` folder; a test regenerates them and fails on any drift.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dpi_safeguards.core.ids import anchored
from dpi_safeguards.models.changes import ChangeList, IdMap
from dpi_safeguards.models.contribution import Contribution, ReviewRecord
from dpi_safeguards.models.country import CountryFile, CountryStatus
from dpi_safeguards.models.framework import (
    AuthoritiesFile,
    KpisFile,
    MetadataFile,
    PrincipleFile,
    ReferencesFile,
    RisksFile,
    StagesFile,
)
from dpi_safeguards.models.release import FrameworkDocument, ReleaseIndex
from dpi_safeguards.models.reports import (
    EntryReport,
    RuleList,
    StatsReport,
    ValidationReport,
    VerifyReport,
)
from dpi_safeguards.models.reviewers import ReviewersFile
from dpi_safeguards.models.translations import (
    TranslationsConfig,
    TranslationsStatus,
    TranslationsSummary,
)
from dpi_safeguards.store.writer import dump_json

SCHEMA_BASE_URL = "https://dpi-safeguards.github.io/framework/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "contribution": (Contribution, "A proposed change set to the framework."),
    "review": (ReviewRecord, "A review decision recorded in a contribution."),
    "reviewers": (
        ReviewersFile,
        "contributions/reviewers.yaml: who may review, and how many approvals are needed.",
    ),
    "changes": (ChangeList, "The change list between two framework versions (changes.json)."),
    "id-map": (IdMap, "A release's id-map.json: every id no longer current, and its successors."),
    "framework-metadata": (MetadataFile, "framework/framework.yaml"),
    "risks": (RisksFile, "framework/risks.yaml"),
    "stages": (StagesFile, "framework/stages.yaml"),
    "authorities": (AuthoritiesFile, "framework/authorities.yaml"),
    "principle": (PrincipleFile, "framework/principles/<id>.yaml"),
    "kpis": (KpisFile, "framework/kpis.yaml"),
    "references": (ReferencesFile, "framework/references.yaml"),
    "framework": (FrameworkDocument, "A release's framework.json: the whole framework."),
    "release-index": (ReleaseIndex, "releases/index.json: every release with its files."),
    "validate-report": (ValidationReport, "The output of safeguards validate --format json."),
    "verify-report": (VerifyReport, "The output of safeguards verify --format json."),
    "rules": (RuleList, "The output of safeguards rules --format json."),
    "stats": (StatsReport, "The output of safeguards stats --format json."),
    "entry": (EntryReport, "The output of safeguards show ID --format json."),
    "country": (CountryFile, "countries/<NS>/country.yaml: a country framework."),
    "country-status": (
        CountryStatus,
        "The output of safeguards country status --format json.",
    ),
    "translations-config": (
        TranslationsConfig,
        "translations/translations.yaml: when a release publishes a language.",
    ),
    "translations-status": (
        TranslationsStatus,
        "The output of safeguards translations status --format json.",
    ),
    "translations": (
        TranslationsSummary,
        "A release's translations.json: every language, and what was published.",
    ),
}
EXTRA_SCHEMAS: dict[str, Any] = {}


def schema_id(name: str) -> str:
    return f"{SCHEMA_BASE_URL}{name}.schema.json"


def generate(name: str) -> dict[str, Any]:
    if name in EXTRA_SCHEMAS:
        generated: dict[str, Any] = EXTRA_SCHEMAS[name]()
        return generated
    model, description = SCHEMA_MODELS[name]
    body = _published_patterns(model.model_json_schema(by_alias=True, mode="validation"))
    return {"$schema": DIALECT, "$id": schema_id(name), "description": description} | {
        k: v for k, v in body.items() if k != "description"
    }


_WHOLE = re.compile(r"\^\(\?:(.*)\)\$")


def _published_patterns(value: Any) -> Any:
    """The schema with every pattern of the models' ``whole()`` form in the ``anchored()``
    form: ``$`` means end of input in Rust, but Python's ``re`` (jsonschema's, so
    check-jsonschema's) also lets it match before a final line break."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "pattern" and isinstance(item, str):
                out[key] = _anchored_form(item)
            elif key == "patternProperties" and isinstance(item, dict):
                out[key] = {_anchored_form(k): _published_patterns(v) for k, v in item.items()}
            else:
                out[key] = _published_patterns(item)
        return out
    if isinstance(value, list):
        return [_published_patterns(v) for v in value]
    return value


def _anchored_form(pattern: str) -> str:
    match = _WHOLE.fullmatch(pattern)
    return anchored(match[1]) if match else pattern


def schema_names() -> list[str]:
    return sorted([*SCHEMA_MODELS, *EXTRA_SCHEMAS])


def render_all() -> dict[str, str]:
    """File name -> canonical JSON text of every schema."""
    return {f"{name}.schema.json": dump_json(generate(name)) for name in schema_names()}


def packaged_dir() -> Path:
    return Path(str(resources.files("dpi_safeguards").joinpath("schemas")))
