"""Shared fixtures: the repository and a writable copy of a framework."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dpi_safeguards.core.workspace import Workspace
from tests.support.paths import FIXTURES, REPO


@pytest.fixture(autouse=True)
def _data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The download client keeps verified TUF metadata under $XDG_DATA_HOME: never the
    user's own during the tests."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))


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
