"""The knowledge library in real headless Chromium, served on 127.0.0.1.

Chooses Government + Strategy and Design + Unequal access as a user would, and checks the
page against `safeguards canvas`: the count, the cards, and the downloaded CSV and Markdown
byte for byte. Also: no request leaves the page, data is shown as text, the page works from
file://, and screenshots land in test-artifacts/.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dpi_safeguards.exports.site import build_site
from dpi_safeguards.knowledge.canvas import canvas
from dpi_safeguards.knowledge.formats import render
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.models.framework import Framework
from tests.support.browser import chromium, require_browser
from tests.support.cli import run_cli
from tests.support.paths import FIXTURES, REPO

# A real Chromium: its start-up alone is seconds.
pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts"
QUERY = ("--authority", "Government", "--stage", "Strategy and Design", "--risk", "Unequal access")


def cli_bytes(root: Path, *args: str) -> bytes:
    result = run_cli(*args, cwd=root)
    assert result.code == 0, result.stderr
    return result.stdout_bytes


class _Quiet(SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    base = tmp_path_factory.mktemp("library")
    root = base / "repo"
    shutil.copytree(FIXTURES / "canvas", root)
    loaded = load_framework(root / "framework")
    assert loaded.ok
    out = base / "site"
    built = run_cli("site", "-o", out, cwd=root)
    assert built.code == 0, built.output
    requested: list[str] = []
    handler = type("Handler", (_Quiet,), {"requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    downloads = base / "downloads"
    downloads.mkdir()
    driver = chromium(base / "profile", downloads)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield {
            "root": root,
            "fw": loaded.framework,
            "out": out,
            "origin": origin,
            "url": origin + "/index.html",
            "driver": driver,
            "downloads": downloads,
            "requested": requested,
        }
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting in the browser")
        time.sleep(0.05)


def downloaded(folder: Path, name: str) -> bytes:
    target = folder / name

    def done() -> bool:
        partial = list(folder.glob("*.crdownload"))
        return target.is_file() and not partial

    wait_for(done, timeout=20)
    return target.read_bytes()


def choose(driver: Any, dimension: str, name: str) -> None:
    """Tick a checkbox by the visible text of its label, as a user would."""
    from selenium.webdriver.common.by import By

    labels = driver.find_elements(By.CSS_SELECTOR, f"#filter-{dimension} label")
    matches = [label for label in labels if label.text.split(" ", 1)[1] == name]
    assert len(matches) == 1, [label.text for label in labels]
    matches[0].click()


def card_facts(driver: Any) -> list[dict[str, Any]]:
    script = """
      return Array.from(document.querySelectorAll('#cards article')).map(function (a) {
        var out = {heading: a.querySelector('h3').textContent, fields: {}, practices: []};
        a.querySelectorAll('dt').forEach(function (dt) {
          out.fields[dt.textContent] = dt.nextElementSibling.textContent;
        });
        a.querySelectorAll('li[data-practice]').forEach(function (li) {
          out.practices.push(li.getAttribute('data-practice'));
        });
        return out;
      });"""
    facts: list[dict[str, Any]] = driver.execute_script(script)
    return facts


def test_canvas_in_chromium(site: dict[str, Any]) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    driver = site["driver"]
    driver.get_log("performance")  # drop what the browser did before the page (new tab)
    driver.get(site["url"])

    def total() -> str:
        shown: str = driver.execute_script("return document.getElementById('total').textContent")
        return shown

    fw: Framework = site["fw"]
    assert total() == f"Total recommendations {canvas(fw).total}"

    choose(driver, "authority", "Government")
    choose(driver, "stage", "Strategy and Design")
    choose(driver, "risk", "Unequal access")

    expected = json.loads(cli_bytes(site["root"], "canvas", *QUERY, "--format", "json"))
    assert expected["total"] == 2
    wait_for(lambda: total() == f"Total recommendations {expected['total']}")
    assert driver.find_element("id", "total").get_attribute("aria-live") == "polite"

    cards = card_facts(driver)
    assert len(cards) == expected["total"]
    for card, rec in zip(cards, expected["recommendations"], strict=True):
        assert card["heading"] == f"Recommendation {rec['number']} of {expected['total']}"
        fields = card["fields"]
        principle = rec["principle"]
        assert fields["Principle"] == f"{principle['id']} {principle['name']}"
        process = rec["process"]
        assert fields["Process recommendation"] == f"{process['id']} {process['text']}"
        assert fields["Mitigated risk"] == "; ".join(f"{r['id']} {r['name']}" for r in rec["risks"])
        assert fields["Responsible authority"] == "; ".join(
            f"{a['id']} {a['name']}" for a in rec["authorities"]
        )
        assert fields["Life-cycle stage"] == "; ".join(
            f"{s['id']} {s['name']}" for s in rec["stages"]
        )
        assert card["practices"] == [p["id"] for p in rec["practices"]]

    # a practice text holding <script> is shown as text, never run
    shown = driver.execute_script(
        "return document.querySelector('li[data-practice=\"F3.1.5\"]').textContent"
    )
    assert "<script>alert(1)</script>" in shown
    assert driver.execute_script("return document.scripts.length") == 2
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018

    # the downloads equal the command's output byte for byte
    driver.find_element("id", "download-csv").click()
    csv_bytes = downloaded(site["downloads"], "safeguards-canvas.csv")
    assert csv_bytes == cli_bytes(site["root"], "canvas", *QUERY, "--format", "csv")
    driver.find_element("id", "download-md").click()
    md_bytes = downloaded(site["downloads"], "safeguards-canvas.md")
    assert md_bytes == cli_bytes(site["root"], "canvas", *QUERY, "--format", "md")

    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "knowledge-library.png"))

    # no request left the page: CDP network log, resource timing, and the server's log
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert site["url"] in urls, "the performance log did not record the page itself"
    outside = [
        u
        for u in urls
        if not (u.startswith(site["origin"] + "/") or u.startswith(("data:", "blob:")))
    ]
    assert outside == []
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
    )
    assert [r for r in resources if not r.startswith(("data:", "blob:"))] == []
    assert set(site["requested"]) == {"/index.html"}

    # no console error (a CSP violation would be one)
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_every_control_is_labelled(site: dict[str, Any]) -> None:
    driver = site["driver"]
    driver.get(site["url"])
    unlabelled = driver.execute_script(
        """return Array.from(document.querySelectorAll('input, button')).filter(function (e) {
             return !(e.labels && e.labels.length) && !e.textContent.trim();
           }).length"""
    )
    assert unlabelled == 0
    legends = driver.execute_script(
        "return Array.from(document.querySelectorAll('fieldset legend'))"
        ".map(function (l) { return l.textContent; })"
    )
    assert legends == ["Responsible authority", "Life-cycle stage", "Risk", "Principle"]


@pytest.mark.parametrize(
    "hash_query",
    [
        {},
        {"authority": ["R4"], "stage": ["L1", "L2"]},
        {"authority": ["R1"], "principle": ["O5", "F3"]},
        {"risk": ["SV1"]},
        {"authority": ["R3"]},
    ],
)
def test_browser_outputs_equal_cli_for_other_queries(
    site: dict[str, Any], hash_query: dict[str, list[str]]
) -> None:
    driver = site["driver"]
    fragment = "&".join(f"{k}={','.join(v)}" for k, v in hash_query.items())
    driver.get("about:blank")
    driver.get(site["url"] + ("#" + fragment if fragment else ""))
    result = canvas(
        site["fw"],
        authorities=hash_query.get("authority", []),
        stages=hash_query.get("stage", []),
        risks=hash_query.get("risk", []),
        principles=hash_query.get("principle", []),
    )
    assert driver.execute_script("return window.safeguardsCanvas.csv()") == render(result, "csv")
    assert driver.execute_script("return window.safeguardsCanvas.markdown()") == render(
        result, "md"
    )


def test_works_from_file_and_on_a_phone(site: dict[str, Any]) -> None:
    driver = site["driver"]
    driver.set_window_size(390, 1800)
    try:
        driver.get((site["out"] / "index.html").as_uri() + "#authority=R1&stage=L2&risk=RI2")
        wait_for(
            lambda: (
                driver.execute_script("return document.getElementById('total').textContent")
                == "Total recommendations 2"
            )
        )
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth"
        )
        assert not overflow, "the page scrolls sideways at phone width"
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "knowledge-library-phone.png"))
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
    finally:
        driver.set_window_size(1280, 1000)


def test_keyboard_alone_selects(site: dict[str, Any]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = site["driver"]
    driver.get("about:blank")
    driver.get(site["url"])
    actions = ActionChains(driver)
    actions.send_keys(Keys.TAB).perform()  # the skip link comes first
    assert driver.switch_to.active_element.get_attribute("class") == "skip"
    actions.send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("id") == "opt-authority-R1"
    actions.send_keys(Keys.SPACE).perform()
    expected = canvas(site["fw"], authorities=["R1"]).total
    wait_for(
        lambda: (
            driver.execute_script("return document.getElementById('total').textContent")
            == f"Total recommendations {expected}"
        )
    )
    assert driver.execute_script("return document.getElementById('count-authority').textContent")
    assert driver.current_url.endswith("#authority=R1")


def test_cli_html_format_obeys_its_own_policy(site: dict[str, Any], tmp_path: Path) -> None:
    driver = site["driver"]
    page = tmp_path / "canvas.html"
    page.write_bytes(cli_bytes(site["root"], "canvas", *QUERY, "--format", "html"))
    driver.get_log("browser")
    driver.get(page.as_uri())
    assert driver.execute_script("return document.querySelectorAll('article').length") == 2
    assert "<script>alert(1)</script>" in driver.find_element("tag name", "main").text
    # the inline style applied (its CSP hash matched): cards have a left border
    width = driver.execute_script(
        "return getComputedStyle(document.querySelector('article')).borderLeftWidth"
    )
    assert width != "0px"
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []


def test_site_built_by_facade_matches_command(site: dict[str, Any], tmp_path: Path) -> None:
    page = build_site(site["fw"], tmp_path)
    assert page.read_bytes() == (site["out"] / "index.html").read_bytes()
