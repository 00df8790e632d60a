"""HTML report at scale: build time, file size and load time in headless chromium for a few thousand judged pairs.

Pairs are synthetic but sized like JudgeBench's (question ~1 KB, responses ~3 KB each); two baseline judges run on
them through the real runner. The load-time baseline, measured in the same browser session, is a static page of
the same size holding the same JSON blob but no script: the ratio says what the pair browser adds on top of the
browser reading the bytes. Prints a table; asserts nothing about speed.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_PAIRS = 3000
SOURCES = ["mmlu-pro-law", "livebench-math", "livecodebench", "livebench-reasoning"]
WORDS = "the of and to in is that for it as with was on be by this are or an at from which answer step so we".split()


def text(rng: random.Random, n_chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < n_chars:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def make_results(root: Path) -> Path:
    rng = random.Random(0)
    pairs = root / "pairs.jsonl"
    with pairs.open("w") as f:
        for i in range(N_PAIRS):
            row = {
                "pair_id": f"p{i}",
                "original_id": i,
                "source": SOURCES[i % 4],
                "question": text(rng, 1000),
                "response_model": "synthetic",
                "response_A": text(rng, rng.randint(1500, 4500)),
                "response_B": text(rng, rng.randint(1500, 4500)),
                "label": rng.choice(["A>B", "B>A"]),
            }
            f.write(json.dumps(row) + "\n")
    for judge in ("longer", "random"):
        subprocess.run([sys.executable, "-m", "judgebench", "bench", "--judge", judge, "--data", str(pairs), "--results-dir", str(root / "r"), "--no-progress"], check=True, capture_output=True)
    return root / "r"


def load_seconds(driver, path: Path) -> float:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.perf_counter()
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.readyState === 'complete' && (window.__jbReady !== undefined || !document.getElementById('rows'))"))
    return time.perf_counter() - t0


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="jb-report-perf-"))
    try:
        results = make_results(root)
        report = root / "report.html"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "judgebench", "report", str(results), "-o", str(report)], capture_output=True, text=True)
        build = time.perf_counter() - t0
        if proc.returncode != 0:
            print(proc.stderr)
            return 1
        html = report.read_text(encoding="utf-8")
        blob = html.split('<script type="application/json" id="jb-data">', 1)[1].split("</script>", 1)[0]
        n_items = len(json.loads(blob)["items"])
        static = root / "static.html"
        static.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>static</p><script type="application/json" id="jb-data">{blob}</script></body></html>')
        print(f"{N_PAIRS} pairs x 2 judges = {n_items} judged pairs; report {report.stat().st_size / 1e6:.1f} MB, built in {build:.2f} s (CLI, incl. scoring, 4 figures)\n")
        chromium, driver_bin = shutil.which("chromium"), shutil.which("chromedriver")
        if not chromium or not driver_bin:
            print("chromium/chromedriver not installed: load time not measured")
            return 0
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        opts = webdriver.ChromeOptions()
        opts.binary_location = chromium
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={root / 'profile'}"):
            opts.add_argument(flag)
        driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
        try:
            load_seconds(driver, static)  # warm up the browser process
            rows = []
            for _ in range(3):
                s = load_seconds(driver, static)
                r = load_seconds(driver, report)
                ready_ms = driver.execute_script("return window.__jbReady")
                t = driver.execute_script("var t = performance.now(); var s = document.getElementById('f-outcome'); s.value = 'incorrect'; s.dispatchEvent(new Event('change')); return performance.now() - t;")
                shown = len(driver.find_elements(By.CSS_SELECTOR, "#rows tr"))
                Select(driver.find_element(By.ID, "f-outcome")).select_by_value("")
                rows.append((s, r, ready_ms, t, shown))
            print("| run | static page, same bytes (s) | report to ready (s) | ratio | page's own ready mark (ms) | filter change (ms) | rows rendered |")
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for k, (s, r, ready_ms, t, shown) in enumerate(rows, start=1):
                print(f"| {k} | {s:.3f} | {r:.3f} | {r / s:.2f} | {ready_ms:.0f} | {t:.1f} | {shown} |")
        finally:
            driver.quit()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
