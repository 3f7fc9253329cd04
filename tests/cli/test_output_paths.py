"""Every command that writes where it is told gives a clear error, never a traceback, when
that place cannot take the output: a folder given for a file, a path under a file, a
file given for a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.paths import REPO

INTAKE_BODY = REPO / "tests" / "cases" / "intake" / "valid" / "minimal.md"

# command line before the output path, and whether it writes a file (or a folder)
FILE_OUTPUTS = {
    "canvas": ("canvas", "-a", "R1", "-o"),
    "validate": ("validate", "-o"),
    "diff": ("diff", "--from", "v1.1.0", "-o"),
    "new": ("new", "--kind", "practice", "--parent", "F1.1", "-o"),
}
FOLDER_OUTPUTS = {
    "bundle": ("bundle", "v1.2.0", "-o"),
    "schemas": ("schemas", "-o"),
    "site": ("site", "-o"),
}


@pytest.mark.parametrize("name", sorted(FILE_OUTPUTS))
def test_a_folder_given_for_a_file_is_refused(name: str, tmp_path: Path) -> None:
    result = run_cli(*FILE_OUTPUTS[name], tmp_path)
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    # click's own check (new) or the writer's: either names the path and says why
    assert str(tmp_path) in result.stderr
    assert "is a folder" in result.stderr or "is a directory" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


@pytest.mark.parametrize("name", sorted({**FILE_OUTPUTS, **FOLDER_OUTPUTS}))
def test_a_path_under_a_file_is_refused(name: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("kept\n", encoding="utf-8")
    args = {**FILE_OUTPUTS, **FOLDER_OUTPUTS}[name]
    result = run_cli(*args, blocker / "inside" / "out")
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert f"cannot create the folder {blocker}" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "kept\n"


@pytest.mark.parametrize("name", ["bundle", "schemas"])
def test_a_file_given_for_a_folder_is_refused(name: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("kept\n", encoding="utf-8")
    result = run_cli(*FOLDER_OUTPUTS[name], blocker)
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert str(blocker) in result.stderr
    assert blocker.read_text(encoding="utf-8") == "kept\n"


def test_verify_outside_git_says_why_and_what_would_work(tmp_path: Path) -> None:
    import shutil

    for folder in ("framework", "releases", "contributions"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    result = run_cli("--root", tmp_path, "verify", "v1.0.0")
    assert result.code == 1
    assert "Traceback" not in result.output
    assert "not in a git repository: cannot rebuild from a tag" in result.stdout + result.stderr
    assert "--no-rebuild" in result.stdout + result.stderr
    assert run_cli("--root", tmp_path, "verify", "--no-rebuild").code == 0
