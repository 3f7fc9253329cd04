"""Shared fixtures: the repository, a writable copy of a framework, the run's cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dpi_safeguards.core.workspace import Workspace
from tests.support.paths import FIXTURES, REPO


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
