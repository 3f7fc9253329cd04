"""Every ``--format json`` output is valid against the schema published for it, on the
real framework and releases, findings and failures included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.support.cli import run_cli
from tests.support.paths import CASES, REPO


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    )
    return data


def _valid(name: str, output: str) -> Any:
    data = json.loads(output)
    jsonschema.Draft202012Validator(_schema(name)).validate(data)
    return data


@pytest.mark.parametrize(
    ("schema", "args"),
    [
        ("entry", ("show", "F3.1")),
        ("entry", ("show", "F3.1.1")),
        ("entry", ("show", "RS4")),
        ("rules", ("rules",)),
        ("stats", ("stats",)),
        ("validate-report", ("validate",)),
        ("verify-report", ("verify", "--no-rebuild")),
    ],
)
def test_json_output_matches_its_schema(schema: str, args: tuple[str, ...]) -> None:
    result = run_cli(*args, "--format", "json")
    assert result.code == 0, result.output
    _valid(schema, result.stdout)


def test_show_json_holds_the_entry_and_its_children() -> None:
    data = _valid("entry", run_cli("show", "F3.1", "--format", "json").stdout)
    assert data["kind"] == "process" and data["entry"]["id"] == "F3.1"
    assert data["children"] and all(c.startswith("F3.1.") for c in data["children"])


def test_rules_json_lists_every_code() -> None:
    data = _valid("rules", run_cli("rules", "--format", "json").stdout)
    text = run_cli("rules").stdout.splitlines()
    assert [f"{r['code']}  {r['title']}" for r in data["rules"]] == text


def test_a_report_with_findings_matches_the_schema(mini_root: Path) -> None:
    proposed = mini_root / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    shutil.copy(CASES / "invalid" / "CON002-unknown-parent" / "contribution.yaml", proposed)
    result = run_cli("--root", mini_root, "validate", "--format", "json")
    assert result.code == 1
    data = _valid("validate-report", result.stdout)
    assert data["exit_code"] == 1 and data["findings"][0]["code"] == "CON002"


def test_a_failed_verify_matches_the_schema(tmp_path: Path) -> None:
    for folder in ("framework", "releases", "contributions"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    kpis = tmp_path / "releases" / "v1.0.0" / "kpis.csv"
    kpis.write_bytes(kpis.read_bytes() + b"x")
    result = run_cli("--root", tmp_path, "verify", "v1.0.0", "--no-rebuild", "--format", "json")
    assert result.code == 1
    data = _valid("verify-report", result.stdout)
    assert data["ok"] is False
    assert any(p["path"].endswith("kpis.csv") for p in data["problems"])
