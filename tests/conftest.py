"""Shared fixtures: the repository and a writable copy of a framework."""

from __future__ import annotations

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
