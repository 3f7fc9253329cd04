"""The knowledge-library page as built (no browser): self-contained, escaped, deterministic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dpi_safeguards.exports.site import build_site, embed_json, render_site, site_data
from dpi_safeguards.knowledge.canvas_html import csp_hash
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.models.framework import Framework
from tests.support.paths import FIXTURES


@pytest.fixture(scope="module")
def fw() -> Framework:
    loaded = load_framework(FIXTURES / "canvas" / "framework")
    assert loaded.ok
    return loaded.framework


def test_embed_json_cannot_close_the_script_block() -> None:
    data = {"t": "</script><script>alert(1)</script><!-- & \u2028"}
    text = embed_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_page_is_self_contained(fw: Framework) -> None:
    page = render_site(fw)
    # exactly the data block and the inline script; nothing loaded from anywhere
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert not re.search(r"\b(src|href)\s*=\s*\"(?!data:|#)", page)
    assert "@import" not in page and "url(" not in page
    assert "<script>alert(1)</script>" not in page


def test_csp_hashes_match_inline_script_and_style(fw: Framework) -> None:
    page = render_site(fw)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    policy = csp.group(1)
    assert policy.startswith("default-src 'none'")
    assert "unsafe-inline" not in policy
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert script is not None and style is not None
    assert f"script-src {csp_hash(script.group(1))}" in policy
    assert f"style-src {csp_hash(style.group(1))}" in policy


def test_data_is_active_and_ordered(fw: Framework) -> None:
    data = site_data(fw)
    # The canvas's order: processes with a text first (O3.2's is a gap), then natural.
    assert [p["id"] for p in data["processes"]] == ["F3.1", "F3.2", "F3.4", "F7.1", "O5.1", "O3.2"]
    f31 = data["processes"][0]
    assert [q["id"] for q in f31["practices"]] == ["F3.1.1", "F3.1.2", "F3.1.3", "F3.1.5"]
    risks = next(d for d in data["dimensions"] if d["key"] == "risk")["values"]
    assert [r[0] for r in risks] == ["RS1", "RI1", "RI2", "SV1", "SV2"]  # RS2 deprecated


def test_build_site_is_deterministic(fw: Framework, tmp_path: Path) -> None:
    first = build_site(fw, tmp_path / "a", title="Library <test>")
    second = build_site(fw, tmp_path / "b", title="Library <test>")
    assert first.name == "index.html"
    assert first.read_bytes() == second.read_bytes()
    assert "<title>Library &lt;test&gt;</title>" in first.read_text(encoding="utf-8")


def test_missing_browser_fails_in_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.support import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"setup-browser\.sh"):
        browser.require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        browser.require_browser()
