"""Every folder under tests/cases/valid and tests/cases/invalid, run through the real CLI.

A case folder holds a contribution file (contribution.yaml/.json) and/or a ``framework/``
overlay applied to the mini fixture framework, plus ``expected.yaml`` for invalid cases:
``codes`` (exactly the finding codes expected), ``message`` (a fragment of one of them),
optionally ``file``, ``line``, ``strict`` and ``generate`` (inputs made by the test).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CASES, run_cli

VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())


def _prepare(case: Path, root: Path, expected: dict[str, Any]) -> list[str]:
    """Lay the case into a copy of the mini repo; returns the CLI arguments."""
    overlay = case / "framework"
    if overlay.is_dir():
        shutil.copytree(overlay, root / "framework", dirs_exist_ok=True)
    proposed = root / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    generate = expected.get("generate")
    if generate == "oversize":
        target = proposed / "contribution.yaml"
        target.write_text("title: " + "x" * 1_100_000 + "\n", encoding="utf-8")
        return ["validate", str(target.relative_to(root))]
    if generate == "symlink":
        real = root / "elsewhere.yaml"
        shutil.copy(CASES / "valid" / "add-practice" / "contribution.yaml", real)
        target = proposed / "contribution.yaml"
        target.symlink_to(real)
        return ["validate", str(target.relative_to(root))]
    inputs = [p for p in case.iterdir() if p.is_file() and p.name.startswith("contribution.")]
    for item in inputs:
        shutil.copy(item, proposed / item.name)
    return ["validate", *(f"contributions/proposed/{p.name}" for p in inputs)]


def _run(case: Path, root: Path, expected: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    args = _prepare(case, root, expected)
    if expected.get("strict"):
        args.append("--strict")
    result = run_cli(*args, "--format", "json", cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    return result.code, report, result.stderr


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case(case: Path, mini_root: Path) -> None:
    code, report, stderr = _run(case, mini_root, {"strict": True})
    assert report["findings"] == [], report
    assert code == 0, stderr


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case(case: Path, mini_root: Path) -> None:
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    code, report, stderr = _run(case, mini_root, expected)
    findings = report["findings"]
    assert code == 1, (stderr, findings)
    assert sorted({f["code"] for f in findings}) == sorted(expected["codes"]), findings
    matching = [f for f in findings if expected["message"] in f["message"]]
    assert matching, f"no finding says {expected['message']!r}: {findings}"
    finding = matching[0]
    assert finding.get("file"), finding
    if "file" in expected:
        assert finding["file"] == expected["file"], finding
    else:
        assert finding["file"].startswith("contributions/proposed/contribution."), finding
    if "line" in expected:
        assert finding.get("line") == expected["line"], finding


def test_every_rule_code_has_an_invalid_case() -> None:
    from pipeline.rules import all_codes

    covered = {p.name.split("-")[0] for p in INVALID}
    missing = sorted(set(all_codes()) - covered - {"LOAD013"})
    assert not missing, f"rule codes without a tests/cases/invalid folder: {missing}"


def test_text_and_github_formats_name_the_file(mini_root: Path) -> None:
    case = CASES / "invalid" / "CON002-unknown-parent"
    args = _prepare(case, mini_root, {})
    text = run_cli(*args, cwd=mini_root)
    assert text.code == 1
    assert "contributions/proposed/contribution.yaml:10:" in text.stdout
    assert "CON002" in text.stdout and "F3.9 is not a process" in text.stdout
    github = run_cli(*args, "--format", "github", cwd=mini_root)
    assert github.code == 1
    assert github.stdout.startswith(
        "::error file=contributions/proposed/contribution.yaml,line=10,"
    ), github.stdout


def test_missing_file_is_a_finding_not_a_traceback(mini_root: Path) -> None:
    result = run_cli("validate", "contributions/proposed/nope.yaml", cwd=mini_root)
    assert result.code == 1
    assert "LOAD013" in result.stdout and "does not exist" in result.stdout
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(mini_root: Path) -> None:
    result = run_cli("validate", "--format", "xml", cwd=mini_root)
    assert result.code == 2
    assert "xml" in result.stderr
