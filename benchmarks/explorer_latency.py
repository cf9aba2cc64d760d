"""Explorer latency in a real browser (headless Chromium through Playwright).

Starts ``streamlit run app.py`` on a free port and measures, on demo-small:

- page load: from opening the URL to the first map drawn;
- first solve: from clicking Solve to the KPIs visible, the first solve of a fresh server
  (its first solve also imports the optimiser's libraries);
- solve: the same for edits of demo-small (a new carbon price each time, so nothing is
  remembered);
- cached: from re-selecting demo-small in the scenario list (after another scenario) to
  its remembered plan's KPIs visible;
- page switch, idle and during a solve: from clicking a page in the sidebar to its
  heading drawn, for every page in turn, with nothing running and then while the
  flagship (eu-gigafactory) solves in the background.

Usage::

    python benchmarks/explorer_latency.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from planner.explorer.serve import CHROMIUM, CHROMIUM_ARGS, serve

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 120_000


def kpi(page: Page):
    return page.locator('[data-testid="stMetric"]').filter(has_text="TCO [EUR/yr]")


def pick(page: Page, name: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Scenario").click()
    page.get_by_role("option", name=name).click()


def solve(page: Page) -> tuple[float, float]:
    """Click Solve; seconds to the KPIs visible, and the solve time the plan reports."""
    expect(kpi(page)).to_have_count(0, timeout=TIMEOUT_MS)
    start = time.perf_counter()
    page.get_by_role("button", name="Solve", exact=True).click()
    expect(kpi(page)).to_be_visible(timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - start
    status = page.get_by_role("heading", name=re.compile("^Plan: ")).inner_text()
    reported = float(re.search(r"solved in ([\d.]+) s", status).group(1))
    return elapsed, reported


def reselect(page: Page) -> float:
    """Another scenario, then demo-small again; seconds to its remembered KPIs."""
    pick(page, "jupiter.yaml")
    expect(page.get_by_role("heading", name="jupiter", exact=True)).to_be_visible()
    start = time.perf_counter()
    pick(page, "demo-small.yaml")
    expect(kpi(page)).to_be_visible(timeout=TIMEOUT_MS)
    return time.perf_counter() - start


HEADINGS = {"Compare": "Compare plans", "Catalogue": "Data catalogue", "Roofline": "Roofline",
            "What-if": "What-if", "Plan": "Plan", "Scenario": "Scenario"}


def switch(page: Page, name: str) -> float:
    """Seconds from clicking page ``name`` in the sidebar to its heading drawn."""
    start = time.perf_counter()
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text(
        name, exact=True).click()
    expect(page.get_by_role("heading", name=HEADINGS[name], exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    return time.perf_counter() - start


def switches(page: Page, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        for name in HEADINGS:
            out.append(switch(page, name))
            time.sleep(0.5)
    return out


def measure(url: str, repeats: int) -> dict[str, list[float]]:
    """All timings [s], by what was measured."""
    out: dict[str, list[float]] = {"page load": [], "first solve": [], "solve": [],
                                   "solver (reported)": [], "cached": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        start = time.perf_counter()
        page.goto(url)
        expect(page.locator(".geolayer .countries path").first).to_be_attached(
            timeout=TIMEOUT_MS)
        out["page load"].append(time.perf_counter() - start)
        pick(page, "demo-small.yaml")
        elapsed, reported = solve(page)
        out["first solve"].append(elapsed)
        out["solver (reported)"].append(reported)
        for i in range(repeats):
            page.get_by_role("tab", name="Policy").click()
            price = page.get_by_label("Carbon price [EUR/tCO2] (blank: finance default)")
            price.fill(str(70 + 10 * i))
            price.press("Enter")
            elapsed, reported = solve(page)
            out["solve"].append(elapsed)
            out["solver (reported)"].append(reported)
        for _ in range(repeats):
            out["cached"].append(reselect(page))
        out["page switch, idle"] = switches(page, max(1, repeats // 2))
        pick(page, "eu-gigafactory.yaml")
        expect(page.get_by_role("heading", name="eu-gigafactory", exact=True)).to_be_visible(
            timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Solve", exact=True).click()
        expect(page.locator('[data-testid="stProgress"]')).to_contain_text(
            "building the model", timeout=TIMEOUT_MS)
        out["page switch, solving"] = switches(page, max(1, repeats // 2))
        browser.close()
    return out


def main() -> None:
    """Measure and print a table of medians and ranges."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with serve(ROOT) as url:
        timings = measure(url, args.repeats)
        print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print(f"{'what':<20} {'n':>3} {'median [s]':>11} {'min [s]':>8} {'max [s]':>8}")
    for what, values in timings.items():
        print(f"{what:<20} {len(values):>3} {statistics.median(values):>11.2f} "
              f"{min(values):>8.2f} {max(values):>8.2f}")


if __name__ == "__main__":
    main()
