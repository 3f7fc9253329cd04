"""Every folder under tests/cases/valid, tests/cases/invalid and tests/cases/hostile, run
through the real CLI (tests/cli/test_hostile.py runs the hostile ones through diff and merge
too).

A case folder holds a contribution file (contribution.yaml/.json) and/or a ``framework/``
overlay applied to the mini fixture framework (or a ``translations/`` folder of catalogues,
checked with ``translations check``, or a country.yaml), plus ``expected.yaml`` for invalid cases:
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

from tests.support.cases import HOSTILE, place_inputs
from tests.support.cli import run_cli
from tests.support.paths import CASES, REPO

VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())
INVALID = sorted([*(p for p in (CASES / "invalid").iterdir() if p.is_dir()), *HOSTILE])


def _prepare(case: Path, root: Path, expected: dict[str, Any]) -> list[str]:
    """Lay the case into a copy of the mini repo; returns the CLI arguments. A case with a
    country.yaml is a country framework, checked against the repository's own releases."""
    if (case / "translations").is_dir():
        shutil.copytree(case / "translations", root / "translations")
        return ["translations", "check"]
    if (case / "country.yaml").is_file():
        shutil.copy(case / "country.yaml", root / "country.yaml")
        return ["country", "validate", "country.yaml", "--upstream", str(REPO / "releases")]
    overlay = case / "framework"
    if overlay.is_dir():
        shutil.copytree(overlay, root / "framework", dirs_exist_ok=True)
    return ["validate", *(str(p.relative_to(root)) for p in place_inputs(case, root, "proposed"))]


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
    if case in HOSTILE and not finding["code"].startswith("LOAD"):
        assert finding.get("field"), f"a hostile input's finding names no field: {finding}"


# Codes whose case needs more than a file: covered by the tests named.
WITHOUT_CASE = {
    "LOAD013": "a file that cannot be read: tests/cli/test_cases.py's missing-path tests",
    "CTY006": "a release with a deprecation: tests/cli/test_country.py",
}


def test_every_rule_code_has_an_invalid_case() -> None:
    from dpi_safeguards import api

    covered = {p.name.split("-")[0] for p in INVALID}
    missing = sorted({code for code, _ in api.rule_codes()} - covered - set(WITHOUT_CASE))
    assert not missing, f"rule codes without a tests/cases/invalid or hostile folder: {missing}"


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


def test_a_missing_path_is_a_usage_error(mini_root: Path) -> None:
    result = run_cli("validate", "contributions/proposed/nope.yaml", cwd=mini_root)
    assert result.code == 2
    assert result.stderr == (
        "error: contributions/proposed/nope.yaml does not exist; give contribution files "
        "(.yaml, .yml, .json) or folders holding them\n"
    )


def test_a_folder_without_contribution_files_is_a_usage_error(mini_root: Path) -> None:
    (mini_root / "empty").mkdir()
    (mini_root / "empty" / "notes.txt").write_text("not a contribution\n", encoding="utf-8")
    result = run_cli("validate", "empty", cwd=mini_root)
    assert result.code == 2
    assert "error: empty holds no contribution file (.yaml, .yml or .json)" in result.stderr
    # a broken link is still a finding about that file, not a usage error
    proposed = mini_root / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    (proposed / "gone.yaml").symlink_to(mini_root / "nowhere")
    linked = run_cli("validate", "contributions/proposed/gone.yaml", cwd=mini_root)
    assert linked.code == 1 and "LOAD012" in linked.stdout


def test_usage_error_exits_2(mini_root: Path) -> None:
    result = run_cli("validate", "--format", "xml", cwd=mini_root)
    assert result.code == 2
    assert "xml" in result.stderr
