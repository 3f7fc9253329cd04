"""Golden files: the mini fixture's releases, byte for byte (every file but site/).

v1.0.0 is the mini fixture; v1.1.0 adds a practice whose text and contributor name try
formula, Markdown and HTML injection, and deprecates F3.1.2. Regenerate after an intended
format change with ``UPDATE_GOLDEN=1 python -m pytest tests/unit/test_release_golden.py`` and
review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dpi_safeguards import api
from dpi_safeguards.core.workspace import Workspace
from tests.support.paths import GOLDEN
from tests.support.release_support import add_hostile_practice, deprecate, tree_bytes

GOLDEN_RELEASES = GOLDEN / "release-mini" / "releases"


def _cut(root: Path) -> dict[str, bytes]:
    workspace = Workspace(root)
    api.release(workspace, api.ReleaseOptions(date="2026-01-15"))
    add_hostile_practice(root)
    deprecate(root, "F3.1.2", "Covered by F3.1.1.")
    api.release(workspace, api.ReleaseOptions(date="2026-02-15"))
    files = tree_bytes(root / "releases")
    return {p: b for p, b in files.items() if "/site/" not in p}


def test_release_exports_match_golden_files(
    mini_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The knowledge-library page is pinned by its own tests: leave it out of the bundle so
    # these files (SHA256SUMS, index.json) do not depend on whether the site exists.
    monkeypatch.setattr("dpi_safeguards.release.bundle._site_files", lambda *args: {})
    files = _cut(mini_root)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN_RELEASES, ignore_errors=True)
        for path, data in files.items():
            target = GOLDEN_RELEASES / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    golden = tree_bytes(GOLDEN_RELEASES)
    assert sorted(files) == sorted(golden)
    differing = [p for p in files if files[p] != golden[p]]
    assert not differing, f"differ from tests/golden/release-mini: {differing}"
