"""The HTML report in a real headless browser (Debian's chromium + chromedriver, driven by Selenium): load it from
a file:// URL, filter, open a pair, take a screenshot. Skips with the reason when chromium is not installed
(``.ci/run`` installs it: ``apt-get install -y --no-install-recommends chromium chromium-driver``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import CANARY_KEY, make_pair, run_cli, shared, write_jsonl

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
PAYLOAD = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>'

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium/chromedriver not installed (Debian: apt-get install -y --no-install-recommends chromium chromium-driver)",
)


@pytest.fixture
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1400,1800",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.__jbReady !== undefined"))


def _embedded(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    return json.loads(html.split('<script type="application/json" id="jb-data">', 1)[1].split("</script>", 1)[0])


def _errors(driver) -> list:  # type: ignore[no-untyped-def]
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def test_report_loads_filters_opens_pair_and_screenshots(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    sources = ["mmlu-pro-law", "livebench-math", "livecodebench", "livebench-reasoning"]
    rows = [make_pair(i, "A>B" if i % 3 else "B>A", sources[i % 4], question=f"Q{i}: {PAYLOAD} key {CANARY_KEY}") for i in range(40)]
    write_jsonl(tmp_path / "pairs.jsonl", rows)
    for judge in ("longer", "random"):
        proc = run_cli("bench", "--judge", judge, "--data", str(tmp_path / "pairs.jsonl"), "--results-dir", str(tmp_path / "r"), "--no-progress")
        assert proc.returncode == 0, proc.stderr
    report = tmp_path / "report.html"
    proc = run_cli("report", str(tmp_path / "r"), "--baseline", "-o", str(report))
    assert proc.returncode == 0, proc.stderr
    data = _embedded(report)

    _open(browser, report)
    count = browser.find_element(By.ID, "count").text
    assert count.startswith(f"{len(data['items'])} of {len(data['items'])} judged pairs match")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#rows tr")) == min(50, len(data["items"]))

    run_index = next(i for i, r in enumerate(data["runs"]) if r["judge"] == "random")
    Select(browser.find_element(By.ID, "f-run")).select_by_value(str(run_index))
    Select(browser.find_element(By.ID, "f-outcome")).select_by_value("incorrect")
    Select(browser.find_element(By.ID, "f-cat")).select_by_value("Math")
    expected = [it for it in data["items"] if it["run"] == run_index and it["outcome"] == "incorrect" and data["pairs"][it["pair"]]["category"] == "Math"]
    assert expected, "the test data should hold incorrect Math judgments of the random judge"
    shown = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
    assert len(shown) == len(expected)
    assert browser.find_element(By.ID, "count").text.startswith(f"{len(expected)} of {len(data['items'])}")
    assert all(tr.find_elements(By.TAG_NAME, "td")[7].text.startswith("incorrect") for tr in shown)

    shown[0].click()
    detail = browser.find_element(By.ID, "detail")
    assert detail.is_displayed()
    pair = data["pairs"][expected[0]["pair"]]
    assert f"Pair {pair['id']} judged by random" in detail.text
    assert PAYLOAD in detail.text  # the payload is shown as text ...
    assert browser.execute_script("return window.__pwned") is None  # ... and never ran
    assert "[REDACTED]" in detail.text and CANARY_KEY not in browser.page_source
    assert "Game 1: shown (A, B)" in detail.text and "Game 2: shown (B, A)" in detail.text

    shot = tmp_path / "report-detail.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    assert _errors(browser) == []


def test_report_of_released_judgments_in_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    outputs = shared("judgebench", "outputs")
    report = tmp_path / "released.html"
    proc = run_cli("report", str(tmp_path / "none"), "--include", str(outputs), "--baseline", "-o", str(report))
    assert proc.returncode == 0, proc.stderr
    data = _embedded(report)
    assert len(data["runs"]) == 4 and len(data["items"]) == 4 * 350
    _open(browser, report)
    Select(browser.find_element(By.ID, "f-cons")).select_by_value("inconsistent")
    expected = sum(it["consistent"] is False for it in data["items"])
    assert browser.find_element(By.ID, "count").text.startswith(f"{expected} of 1400")
    browser.find_elements(By.CSS_SELECTOR, "#rows tr")[0].click()
    assert "(inconsistent)" in browser.find_element(By.ID, "detail").text
    browser.save_screenshot(str(tmp_path / "released-detail.png"))
    assert _errors(browser) == []
