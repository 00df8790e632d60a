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


# --- many runs at 1280 px, the permalink, the judge's prompt (issue 16) --------------------------------------------


def _wide_report(tmp_path: Path, n_runs: int = 17) -> Path:
    from judgebench.reports.html import render_report

    from ..report_fixtures import report_runs

    report = tmp_path / "wide.html"
    report.write_text(render_report(report_runs(n_runs, model_suffix="-2024-05-13-with-a-long-suffix"), figures=False), encoding="utf-8")
    return report


_RECTS = """
const box = arguments[0], table = box.querySelector('table');
const cell = table.tBodies[0].rows[0].cells[0], head = table.tHead.rows[0].cells[0];
const r = (e) => { const x = e.getBoundingClientRect(); return {left: x.left, right: x.right}; };
return {box: r(box), cell: r(cell), head: r(head), scrollLeft: box.scrollLeft, scrollWidth: box.scrollWidth,
        clientWidth: box.clientWidth, text: cell.textContent,
        hit: document.elementFromPoint(cell.getBoundingClientRect().left + 3, cell.getBoundingClientRect().top + 3) === cell ||
             cell.contains(document.elementFromPoint(cell.getBoundingClientRect().left + 3, cell.getBoundingClientRect().top + 3)),
        page: document.documentElement.scrollWidth, inner: window.innerWidth};
"""


@pytest.mark.parametrize("width", [1280, 900])
def test_wide_leaderboard_scrolls_in_its_box_with_the_judge_column_in_view(browser, tmp_path: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    report = _wide_report(tmp_path)
    browser.set_window_size(width, 1000)
    _open(browser, report)
    assert browser.execute_script("return window.innerWidth") <= width
    box = browser.find_element(By.CSS_SELECTOR, "#leaderboard .scroll")
    before = browser.execute_script(_RECTS, box)
    assert before["scrollWidth"] > before["clientWidth"] + 100, "the 17-run table should be wider than the page"
    assert before["page"] <= before["inner"]  # the page itself never scrolls sideways
    browser.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", box)
    after = browser.execute_script(_RECTS, box)
    assert after["scrollLeft"] > 100  # the box scrolled
    # the judge column stayed where it was, inside the box, and is what one sees there (not covered by other cells)
    assert after["cell"]["left"] == pytest.approx(after["box"]["left"], abs=1) and after["cell"]["right"] <= after["box"]["right"]
    assert after["head"]["left"] == pytest.approx(after["box"]["left"], abs=1)
    assert after["hit"] and after["text"] == before["text"] and "vanilla" in after["text"], (before, after)
    assert after["page"] <= after["inner"]
    # open a pair: the detail's two columns fit too
    browser.find_elements(By.CSS_SELECTOR, "#rows tr")[0].click()
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    assert _errors(browser) == []


def test_column_chooser_hides_and_shows_a_column(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    _open(browser, _wide_report(tmp_path, n_runs=3))
    heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#leaderboard table.lb thead th")]
    col = heads.index("Math")
    browser.find_element(By.CSS_SELECTOR, "#leaderboard .colchooser summary").click()
    labels = browser.find_elements(By.CSS_SELECTOR, "#leaderboard .colchooser label")
    assert [lb.text for lb in labels] == heads[1:]  # every column but the judge's
    labels[col - 1].find_element(By.TAG_NAME, "input").click()
    visible = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#leaderboard table.lb thead th") if th.is_displayed()]
    assert visible == heads[:col] + heads[col + 1 :]
    rows = browser.find_elements(By.CSS_SELECTOR, "#leaderboard table.lb tbody tr")
    assert all(not tr.find_elements(By.TAG_NAME, "td")[col].is_displayed() for tr in rows)
    labels[col - 1].find_element(By.TAG_NAME, "input").click()
    assert [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#leaderboard table.lb thead th") if th.is_displayed()] == heads


def test_permalink_opens_the_pair_with_every_runs_judgments(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from ..report_fixtures import ODD_ID, ODD_ID_LINK, chat_prompt

    report = _wide_report(tmp_path, n_runs=4)
    data = _embedded(report)
    pair = next(p for p in data["pairs"] if p["id"] == ODD_ID)
    browser.get(report.resolve().as_uri() + ODD_ID_LINK)
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return window.__jbReady !== undefined"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
    assert len(rows) == 4 and all(tr.find_elements(By.TAG_NAME, "td")[2].text == ODD_ID for tr in rows)  # one per run
    assert {tr.find_elements(By.TAG_NAME, "td")[1].text for tr in rows} == {r["name"] for r in data["runs"]}
    assert browser.find_element(By.ID, "count").text.startswith(f"4 of {len(data['items'])}")
    assert f"Showing only pair {ODD_ID}, judged by 4 runs" in browser.find_element(By.ID, "focus").text
    detail = browser.find_element(By.ID, "detail")
    assert detail.is_displayed() and f"Pair {ODD_ID} judged by" in detail.text
    assert browser.execute_script("return document.activeElement.id") == "detail"  # focused ...
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", detail)
    assert 0 <= top < browser.execute_script("return window.innerHeight")  # ... and scrolled into view
    assert browser.find_element(By.CSS_SELECTOR, "#detail a.permalink").get_attribute("href").endswith(ODD_ID_LINK)
    assert [a.get_attribute("href").split("#", 1)[1] for a in browser.find_elements(By.CSS_SELECTOR, "#rows td a")] == [ODD_ID_LINK[1:]] * 4

    # the judge's prompt, collapsed, under the raw output: roles and text as the judge was shown them
    prompts = detail.find_elements(By.CSS_SELECTOR, "details.prompt")
    assert len(prompts) == 2 and not prompts[0].get_attribute("open")
    assert prompts[1].find_element(By.TAG_NAME, "summary").text == "Judge's prompt (2 messages)"
    prompts[1].find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(browser, 10).until(lambda d: prompts[1].find_elements(By.TAG_NAME, "h4"))  # filled on the toggle event
    assert [h.text.lower() for h in prompts[1].find_elements(By.TAG_NAME, "h4")] == ["system", "user"]
    pres = [p.get_attribute("textContent") for p in prompts[1].find_elements(By.TAG_NAME, "pre")]
    expected = chat_prompt(pair["question"], pair["B"], pair["A"])  # game 2 shows B first
    assert "\n\n".join(f"[{r}]\n{t}" for r, t in zip(["system", "user"], pres, strict=True)) == expected

    # the other filters apply on top of the pair; the address keeps the permalink
    Select(browser.find_element(By.ID, "f-run")).select_by_value("1")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#rows tr")) == 1
    assert browser.execute_script("return location.hash") == ODD_ID_LINK
    Select(browser.find_element(By.ID, "f-run")).select_by_value("")
    browser.find_element(By.ID, "focus-clear").click()
    WebDriverWait(browser, 10).until(lambda d: not d.find_element(By.ID, "focus").is_displayed())
    assert browser.find_element(By.ID, "count").text.startswith(f"{len(data['items'])} of {len(data['items'])}")
    # a permalink clicked in the page shows that pair
    browser.find_elements(By.CSS_SELECTOR, "#rows td a")[0].click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "focus").is_displayed())
    first_id = data["pairs"][0]["id"]
    assert all(tr.find_elements(By.TAG_NAME, "td")[2].text == first_id for tr in browser.find_elements(By.CSS_SELECTOR, "#rows tr"))
    assert _errors(browser) == []
