"""A country bundle's progress page in real Chromium: its tables render, its style applies
(the CSP hash matches), and it links to the knowledge library beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import chromium, require_browser
from tests.support.cli import run_cli
from tests.support.paths import REPO

pytestmark = pytest.mark.slow


def test_progress_page_in_chromium(tmp_path: Path) -> None:
    require_browser()
    out = tmp_path / "bundle"
    result = run_cli(
        "country", "resolve", "countries/MW", "-o", str(out), "--date", "2026-12-07", cwd=REPO
    )
    assert result.code == 0, result.output
    driver = chromium(tmp_path / "profile", tmp_path / "downloads")
    try:
        driver.get_log("browser")
        driver.get((out / "site" / "progress.html").as_uri())
        captions = driver.execute_script(
            "return [...document.querySelectorAll('caption')].map(c => c.textContent)"
        )
        assert captions == ["By principle", "By risk", "By stage"]
        total = driver.execute_script(
            "return [...document.querySelector('tbody tr:last-child').cells]"
            ".map(c => c.textContent)"
        )
        assert total == ["all", "everything that applies", "22", "4", "1", "2", "1", "2"]
        collapse = driver.execute_script(
            "return getComputedStyle(document.querySelector('table')).borderCollapse"
        )
        assert collapse == "collapse"  # the page's style applied: its hash matched the CSP
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        driver.find_element("link text", "The knowledge library").click()
        assert driver.current_url.endswith("/site/index.html")
    finally:
        driver.quit()
