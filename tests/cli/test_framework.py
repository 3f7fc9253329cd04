"""The bundled framework through the commands: it validates, round-trips byte for byte, and
has the entries the seeds give (read through the library: tests/unit/test_framework.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dpi_safeguards.load.folder import load_framework
from tests.support.cli import run_cli
from tests.support.paths import REPO


def test_repository_validates_clean() -> None:
    # The framework itself: clean even with warnings counted as errors.
    result = run_cli("validate", "--strict", "framework")
    assert result.code == 0, result.output
    assert "all clean" in result.stdout
    # Everything: no error. The review queue holds near-duplicate proposals on purpose
    # (contributions/proposed/README.md, "Repeats"), which CON008 flags as warnings.
    result = run_cli("validate", "--format", "json")
    assert result.code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert {f["code"] for f in findings} <= {"CON008"}, findings


def test_round_trip_changes_no_byte(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "framework", root / "framework")
    before = {p: p.read_bytes() for p in (root / "framework").rglob("*") if p.is_file()}
    result = run_cli("format", cwd=root)
    assert result.code == 0, result.output
    assert "framework files are canonical" in result.stdout
    after = {p: p.read_bytes() for p in (root / "framework").rglob("*") if p.is_file()}
    assert after == before


def test_stats_counts_the_seed_content() -> None:
    result = run_cli("stats", "--format", "json")
    assert result.code == 0, result.output
    import json

    active = json.loads(result.stdout)["active"]
    assert active["risk"] == 13
    assert active["principle"] == 18
    assert active["stage"] == 5
    assert active["authority"] == 5
    framework = load_framework(REPO / "framework").framework
    assert active["practice"] == len(framework.practices)
    assert active["process"] == len(framework.processes)
    # The v1.0 baseline's practices (the ids seed 001 prints) are all still there ...
    indexed = (
        [f"F3.1.{n}" for n in (1, 2, 3)]
        + [f"F4.1.{n}" for n in (1, 2, 3, 4)]
        + ["F5.1.1", "F5.1.2", "F6.1.1"]
        + [f"F8.1.{n}" for n in (1, 2, 3, 4)]
        + ["F9.1.1", "O1.1.1", "O1.1.2", "O1.1.3", "O6.1.1"]
    )
    assert set(indexed) <= set(framework.practices)
    # ... and the v1.1 transcription added the Guide's canvases and the Hub's processes.
    assert {"F3.6", "F4.9", "O3.26", "F7.6", "O6.8"} <= set(framework.processes)
    assert active["process"] >= 90
    assert result.stdout.count('"project_assigned"') == 1


def test_show_prints_entry_with_children() -> None:
    result = run_cli("show", "F8.1")
    assert result.code == 0, result.output
    assert "F8.1  (process)" in result.stdout
    assert "F8.1.4" in result.stdout and "RS4 Lack of recourse" in result.stdout


def test_show_unknown_id_is_an_error() -> None:
    result = run_cli("show", "F99.1")
    assert result.code == 1
    assert "no entry has the id 'F99.1'" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_checkout_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=tmp_path)
    assert result.code == 2
    assert "no framework found" in result.stderr


def test_readme_main_job_succeeds_on_the_repository() -> None:
    """The README's first command: validate, then preview the next release."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "safeguards validate && safeguards release --dry-run" in readme
    assert run_cli("validate").code == 0
    preview = run_cli("release", "--dry-run")
    assert preview.code == 0, preview.output
