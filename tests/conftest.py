"""Shared fixtures: the repository, a writable copy of a framework, a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from dpi_safeguards.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = Path(__file__).resolve().parent / "cases"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Result:
    """Run the installed command as a user would: a real process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SAFEGUARDS_ROOT", None)
    completed = subprocess.run(
        [sys.executable, "-m", "dpi_safeguards", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A writable copy of the small fixture framework (tests/fixtures/mini)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    return root


@pytest.fixture
def mini(mini_root: Path) -> Workspace:
    return Workspace(mini_root)


@pytest.fixture
def repo() -> Workspace:
    return Workspace(REPO)


@pytest.fixture(autouse=True, scope="session")
def _framework_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The framework cache (dpi_safeguards.load.cache) of the test run: its own folder, never
    the user's; tests and the processes they start share it."""
    os.environ["SAFEGUARDS_CACHE_DIR"] = str(tmp_path_factory.mktemp("framework-cache"))
    os.environ.pop("SAFEGUARDS_NO_CACHE", None)
