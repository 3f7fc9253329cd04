"""`safeguards site`: the knowledge-library page built by the command (the page itself:
tests/unit/test_site.py; in a browser: tests/cli/test_site_browser.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.paths import FIXTURES


def test_site_command(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "canvas", root)
    out = tmp_path / "site"
    result = run_cli("site", "-o", out, cwd=root)
    assert result.code == 0, result.output
    assert (out / "index.html").is_file()
    again = run_cli("site", "-o", tmp_path / "site2", cwd=root)
    assert again.code == 0
    assert (out / "index.html").read_bytes() == (tmp_path / "site2" / "index.html").read_bytes()
    missing = run_cli("site", cwd=root)
    assert missing.code == 2
