"""`safeguards canvas` as a user runs it: golden outputs, determinism of every format,
options, exit codes, reading a release (the query and its formats through the facade:
tests/unit/test_canvas.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dpi_safeguards.knowledge.canvas import canvas
from dpi_safeguards.knowledge.formats import render
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.models.framework import Framework
from tests.support.cli import run_cli
from tests.support.paths import FIXTURES, GOLDEN

CANVAS_FIXTURE = FIXTURES / "canvas"
GOLDEN_CANVAS = GOLDEN / "canvas"
QUERY = ("-a", "Government", "-s", "Strategy and Design", "-r", "Unequal access")


@pytest.fixture(scope="module")
def fw() -> Framework:
    loaded = load_framework(CANVAS_FIXTURE / "framework")
    assert loaded.ok
    return loaded.framework


@pytest.fixture
def canvas_root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(CANVAS_FIXTURE, root)
    return root


def run_bytes(*args: str | Path, cwd: Path) -> bytes:
    """The command's exact stdout bytes (Result.stdout folds CRLF)."""
    result = run_cli(*args, cwd=cwd)
    assert result.code == 0, result.stderr
    return result.stdout_bytes


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_golden(canvas_root: Path, fmt: str) -> None:
    produced = run_bytes("canvas", *QUERY, "--format", fmt, cwd=canvas_root)
    golden = GOLDEN_CANVAS / f"government-strategy-unequal-access.{fmt}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced == golden.read_bytes()


@pytest.mark.parametrize("fmt", ["text", "md", "csv", "json", "html"])
def test_every_format_is_deterministic(canvas_root: Path, tmp_path: Path, fmt: str) -> None:
    first = run_bytes("canvas", "-a", "R1", "-a", "R4", "--format", fmt, cwd=canvas_root)
    out = tmp_path / f"canvas.{fmt}"
    run_bytes(
        "canvas",
        "--authority",
        "Technology provider",
        "--authority",
        "government",
        "--format",
        fmt,
        "-o",
        out,
        cwd=canvas_root,
    )
    assert out.read_bytes() == first
    assert b"F3.1.4" not in first and b"F3.3" not in first


def test_command_repeatable_options(canvas_root: Path) -> None:
    result = run_cli(
        "canvas", "-s", "L1", "--stage", "Development", "--format", "json", cwd=canvas_root
    )
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["id"] for s in data["selection"]["stage"]] == ["L1", "L3"]
    assert data["total"] == 5


def test_command_unknown_value_exit_2(canvas_root: Path) -> None:
    result = run_cli("canvas", "--authority", "Gov", cwd=canvas_root)
    assert result.code == 2
    assert "unknown responsible authority 'Gov'" in result.stderr
    assert "R1 Government" in result.stderr and "R5 Advocates" in result.stderr
    assert result.stdout == ""


def test_command_bad_release_exit_2(canvas_root: Path) -> None:
    result = run_cli("canvas", "--release", "v9.9.9", cwd=canvas_root)
    assert result.code == 2 and "no release v9.9.9" in result.stderr
    result = run_cli("canvas", "--release", "../../etc", cwd=canvas_root)
    assert result.code == 2 and "v1.2.3" in result.stderr


def test_command_reads_a_release(canvas_root: Path, fw: Framework) -> None:
    from dpi_safeguards.exports.framework_json import framework_to_data
    from dpi_safeguards.store.writer import dump_json

    release = canvas_root / "releases" / "v1.0.0"
    release.mkdir(parents=True)
    (release / "framework.json").write_text(dump_json(framework_to_data(fw)), encoding="utf-8")
    # the working framework changes afterwards; the release does not
    (canvas_root / "framework" / "principles" / "F7.yaml").unlink()
    working = run_cli("canvas", "-a", "R5", "--format", "csv", cwd=canvas_root)
    released = run_bytes(
        "canvas", "-a", "R5", "--format", "csv", "--release", "v1.0.0", cwd=canvas_root
    )
    assert working.code == 0, working.output
    assert "F7.1" not in working.stdout
    assert released == render(canvas(fw, authorities=["R5"]), "csv").encode("utf-8")


def test_command_on_mini_fixture(mini_root: Path) -> None:
    result = run_cli("canvas", "-a", "Government", "-s", "Strategy & Design", cwd=mini_root)
    assert result.code == 0, result.output
    assert "Total recommendations 1" in result.stdout
