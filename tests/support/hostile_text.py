"""A framework full of hostile text, for the neutralised-output tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from dpi_safeguards import api
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import write_framework
from dpi_safeguards.models.base import ProvenanceRecord
from dpi_safeguards.models.framework import Practice
from tests.support.paths import FIXTURES

HOSTILE_TEXTS = [
    '=HYPERLINK("http://x") <script>alert(1)</script> one',
    "+cmd <img src=x onerror=alert(1)> two",
    "-1+1 [x](javascript:alert(1)) three",
    "@SUM(A1) | pipe | and\nnewline four",
    "::error::pwned @octocat five",
    "`tick` *star* _under_ ~strike~ <b>bold</b> six",
]
HOSTILE_NAMES = ['=cmd|" /C calc"!A0', "@octocat", "<script>alert(1)</script>", "::error::x"]
# Shown in a Markdown table (framework.md's references): the pipes must stay in one cell.
REFERENCE_TITLE = '=HYPERLINK("x") | pipe | <script>alert(1)</script> [x](javascript:alert(1))'
DATE = "2026-01-15"


def hostile_root(tmp_path: Path) -> Path:
    """The mini fixture with hostile texts in processes, practices, a reference and the
    contributor and reviewer names of the provenance."""
    root = tmp_path / "hostile"
    shutil.copytree(FIXTURES / "mini", root)
    workspace = Workspace(root)
    framework = api.load(workspace)
    process = framework.processes["F3.1"]
    framework.processes["F3.1"] = process.model_copy(update={"text": HOSTILE_TEXTS[0]})
    provenance = [
        ProvenanceRecord(
            source="contributions/merged/<script>alert(1)</script>.yaml",
            contributors=HOSTILE_NAMES,
            reviewers=list(reversed(HOSTILE_NAMES)),
            date=DATE,
        )
    ]
    for number, text in enumerate(HOSTILE_TEXTS[1:], start=3):
        practice_id = f"F3.1.{number}"
        framework.practices[practice_id] = Practice(
            id=practice_id, text=text, provenance=provenance
        )
    reference = framework.references["REF-1"]
    framework.references["REF-1"] = reference.model_copy(update={"title": REFERENCE_TITLE})
    write_framework(framework, workspace.framework_dir)
    return root
