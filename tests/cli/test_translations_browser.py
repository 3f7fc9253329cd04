"""The Arabic knowledge library of a release in real headless Chromium: right to left
(as the browser lays it out, and as a screenshot shows it), the translated texts in
place, the English ones marked and kept left to right, and the language switch working.
The screenshots land in test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_translations import translation_repo
from tests.support.browser import chromium, require_browser
from tests.support.cli import run_cli
from tests.support.paths import REPO

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    base = tmp_path_factory.mktemp("translated")
    root = translation_repo(base / "repo")
    out = base / "bundle"
    result = run_cli("release", "--dry-run", "-o", str(out), "--date", "2026-12-08", cwd=root)
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Any:
    require_browser()
    base = tmp_path_factory.mktemp("chromium")
    browser = chromium(base / "profile", base / "downloads", width=1000, height=900)
    yield browser
    browser.quit()


def _ink_centre(png: bytes, box: dict[str, float], scale: float) -> float:
    """The mean x (0 left, 1 right) of the text's pixels inside ``box`` of a screenshot:
    those far from the box's commonest shade (its background)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    left, top = int(box["x"] * scale), int(box["y"] * scale)
    right, bottom = int((box["x"] + box["width"]) * scale), int((box["y"] + box["height"]) * scale)
    region = image.crop((left, top, right, bottom))
    width, height = region.size
    shades = region.tobytes()  # mode L: one byte per pixel, row by row
    histogram = region.histogram()
    background = histogram.index(max(histogram))
    xs = [
        x
        for y in range(height)
        for x in range(width)
        if abs(shades[y * width + x] - background) > 80
    ]
    assert xs, "no text drawn in the box"
    return sum(xs) / len(xs) / width


def _heading_ink(driver: Any, name: str) -> float:
    box = driver.execute_script(
        "var r = document.querySelector('.masthead h1').getBoundingClientRect();"
        "var f = document.querySelector('.masthead').getBoundingClientRect();"
        "return {x: f.left, y: r.top, width: f.width, height: r.height};"
    )
    scale = driver.execute_script("return window.devicePixelRatio") or 1
    png = driver.get_screenshot_as_png()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)
    return _ink_centre(png, box, float(scale))


def test_the_arabic_library_is_right_to_left(bundle: Path, driver: Any) -> None:
    driver.get((bundle / "site" / "ar" / "index.html").as_uri())
    assert driver.execute_script("return document.documentElement.lang") == "ar"
    assert driver.execute_script("return document.documentElement.dir") == "rtl"
    assert driver.execute_script("return getComputedStyle(document.body).direction") == "rtl"
    # The heading's text starts at the right: so the screenshot shows it.
    assert _heading_ink(driver, "knowledge-library-ar.png") > 0.6

    # The page's own words where the catalogue translates them, English where not.
    legend = driver.find_element("css selector", "#filter-authority legend")
    assert legend.text == "الجهة المسؤولة"
    assert driver.find_element("id", "filters-heading").text == "اختيار الأبعاد"
    assert driver.find_element("id", "clear").text == "Clear all choices"
    assert driver.find_element("css selector", "nav.languages").get_attribute("aria-label") == (
        "اللغات"
    )
    # A translated authority's name, its checkbox on the right of it.
    option = driver.find_element("id", "opt-authority-R1")
    label = option.find_element("xpath", "..")
    assert "الحكومة" in label.text
    text = label.find_element("css selector", "span")
    assert option.rect["x"] > text.rect["x"]

    # Choose principle F3: its practice F3.1.1 in Arabic, an untranslated one in English,
    # marked with the Arabic word for English and kept left to right.
    driver.find_element("id", "opt-principle-F3").click()
    first_card = driver.find_element("css selector", "#cards h3")
    assert first_card.text.startswith("التوصية 1 من ")
    practice = driver.find_element("css selector", 'li[data-practice="F3.1.1"]')
    assert "إنشاء مواقع مادية" in practice.text
    fallback = driver.find_element("css selector", 'li[data-practice="F3.1.3"] .fallback')
    assert fallback.get_attribute("lang") == "en" and fallback.get_attribute("dir") == "ltr"
    assert "Implement legal protections" in fallback.text
    note = driver.find_element("css selector", 'li[data-practice="F3.1.3"] .fallback-note')
    assert "الإنجليزية" in note.text
    driver.save_screenshot(str(ARTIFACTS / "knowledge-library-ar-canvas.png"))

    # The switch leads to the English page, laid out left to right.
    driver.find_element("css selector", '.languages a[hreflang="en"]').click()
    assert driver.current_url.endswith("/site/index.html")
    assert driver.execute_script("return document.documentElement.dir") == ""
    assert driver.execute_script("return getComputedStyle(document.body).direction") == "ltr"
    assert _heading_ink(driver, "knowledge-library-en.png") < 0.4
    assert driver.find_element("css selector", '.languages a[aria-current="page"]').text == (
        "English"
    )


def test_the_french_page_is_left_to_right_and_links_back(bundle: Path, driver: Any) -> None:
    driver.get((bundle / "site" / "fr" / "index.html").as_uri())
    assert driver.execute_script("return document.documentElement.lang") == "fr"
    assert driver.execute_script("return getComputedStyle(document.body).direction") == "ltr"
    assert (
        "Gouvernement"
        in driver.find_element("id", "opt-authority-R1").find_element("xpath", "..").text
    )
    driver.find_element("css selector", '.languages a[hreflang="ar"]').click()
    assert driver.current_url.endswith("/site/ar/index.html")
