"""The explorer in a real headless Chromium, served by ``streamlit run app.py``.

Loads the app, picks demo-small, solves it, sees the KPIs and the map drawn from the
outlines the app serves itself, uploads a malformed file, opens the energy view,
and fails on any request to another host than this machine (from the browser, or
from the server: an audit hook in the server's Python logs every name lookup and
connection), on an exception shown in the page, or on a browser console error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from planner.explorer.serve import CHROMIUM, CHROMIUM_ARGS, serve
from tests.conftest import ROOT, SCENARIOS

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "::", ""}
NETWORK_AUDIT = '''
import os, sys
_LOG = os.environ["GIGAPLAN_NETWORK_LOG"]
_LOCAL = {LOCAL_HOSTS!r}

def _audit(event, args):
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect" and isinstance(args[1], tuple):
        host = args[1][0]
    else:
        return
    host = host.decode() if isinstance(host, bytes) else str(host or "")
    if host not in _LOCAL and not host.startswith("127."):
        with open(_LOG, "a") as log:
            log.write(f"{{event}} {{host}}\\n")

sys.addaudithook(_audit)
'''

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path):
    """The explorer served with the network audit; yields its URL and the network log."""
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "sitecustomize.py").write_text(
        NETWORK_AUDIT.format(LOCAL_HOSTS=LOCAL_HOSTS))
    log = tmp_path / "network.log"
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "audit"), GIGAPLAN_NETWORK_LOG=str(log))
    output: list[str] = []
    try:
        with serve(ROOT, env, output) as url:
            yield url, log
    finally:
        print("".join(output))


def settled(page) -> None:
    """Wait until the app's script run has ended (Streamlit's running indicator is gone)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


SCREENSHOT_MAX_BYTES = 250_000
VIEWPORT = {"width": 1280, "height": 800}


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$GIGAPLAN_SCREENSHOTS`` (for docs/img/), else the test's tmp."""
    folder = Path(os.environ.get("GIGAPLAN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, folder: Path, name: str, height: int | None = None, top=None) -> Path:
    """A PNG of the page, over 250 kB saved again with 256 colours.

    ``height``: the viewport's height [px] for this picture (then back to 800); ``top``:
    a locator scrolled to the top of the view first.
    """
    path = folder / name
    if height:
        page.set_viewport_size({**VIEWPORT, "height": height})
        page.wait_for_timeout(1500)  # the charts redrawn at the new size
    if top is not None:
        top.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    if height:
        page.set_viewport_size(VIEWPORT)
    if path.stat().st_size > SCREENSHOT_MAX_BYTES:
        from PIL import Image

        with Image.open(path) as image:
            image.convert("RGB").quantize(256).save(path, optimize=True)
    return path


def cut_metrics(page) -> list[str]:
    """The KPI tiles whose value does not fit its tile (the text shown cut with "...")."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
        .filter(v => [v, ...v.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(v => v.innerText)""")


def foreign(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme not in ("data", "blob")
            and urlparse(u).hostname not in LOCAL_HOSTS]


def test_solve_the_demo_in_chromium_with_no_request_leaving_the_machine(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install chromium (.ci/run does)"
    url, network_log = served
    shots = shots_dir(tmp_path)
    requests, console_errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        try:
            page.goto(url)
            countries = page.locator(".geolayer .countries path")
            expect(countries.first).to_be_attached(timeout=30_000)  # the flagship's map
            page.locator('[data-testid="stSelectbox"]').filter(has_text="Scenario").click()
            page.get_by_role("option", name="demo-small.yaml").click()
            expect(page.get_by_text("Small demo - three Nordic")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="Solve", exact=True).click()
            gpus = page.locator('[data-testid="stMetric"]').filter(has_text="GPUs")
            expect(gpus).to_contain_text("776", timeout=60_000)
            expect(page.locator('[data-testid="stMetric"]')
                   .filter(has_text="TCO")).to_contain_text(" M EUR/yr")
            # the map redrawn with the chosen site, once the script run has ended
            expect(page.locator(".js-plotly-plot text", has_text="Bologna")).to_be_attached(
                timeout=30_000)
            settled(page)
            # outlines from world_50m.json, served by the app: borders, land, member states
            assert len(countries.first.get_attribute("d")) > 10_000
            assert len(page.locator(".geolayer .land path").first.get_attribute("d")) > 10_000
            assert page.locator(".choroplethlayer path").count() == 27
            shoot(page, shots, "scenario.png", height=1150,
                  top=page.get_by_role("heading", name="Plan: optimal"))
            assert cut_metrics(page) == []  # every KPI tile shows its whole value

            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                files=[{"name": "bad.yaml", "mimeType": "application/x-yaml",
                        "buffer": b"name: x\nworkloads: [\n"}])
            expect(page.get_by_text("malformed YAML", exact=False)).to_be_visible(timeout=30_000)
            settled(page)
            # a file over the 1 MB scenario limit gets the planner's sentence, not only an icon,
            # and it replaces the previous file's error
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                files=[{"name": "big.yaml", "mimeType": "application/x-yaml",
                        "buffer": b"name: big\n" + b"# padding\n" * 150_000}])
            expect(page.get_by_text("scenario files are limited to 1,000,000 bytes",
                                    exact=False)).to_be_visible(timeout=30_000)
            expect(page.get_by_text("malformed YAML", exact=False)).to_have_count(0)
            settled(page)

            page.get_by_role("button", name="Open the plan").click()
            expect(page.get_by_role("button", name="Download Excel report")).to_be_visible(
                timeout=30_000)
            expect(page.locator(".js-plotly-plot text", has_text="Bologna")).to_be_attached(
                timeout=30_000)
            settled(page)
            view = page.locator('[data-testid="stRadio"]').filter(has_text="View")
            page.get_by_role("heading", name="Plan", exact=True).scroll_into_view_if_needed()
            shoot(page, shots, "plan-map.png", height=1400)
            assert cut_metrics(page) == []
            for name, heading, file in (("Fleet", "GPUs by site", "plan-fleet.png"),
                                        ("Roofline", "Roofline of demo-small", "roofline.png"),
                                        ("Energy", "Dispatch at bologna, day 1", "energy.png")):
                view.get_by_text(name, exact=True).click()
                chart = page.locator(".js-plotly-plot").filter(has_text=heading)
                expect(chart).to_be_visible(timeout=30_000)
                settled(page)
                chart.scroll_into_view_if_needed()
                shoot(page, shots, file)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
    assert foreign(requests) == []
    assert any(u.endswith("/app/static/topojson/world_50m.json") for u in requests)
    assert console_errors == []
    assert not network_log.exists(), network_log.read_text()


@pytest.fixture
def busy_core():
    """One core kept busy while the test runs (the burner also ends by itself after 600 s)."""
    burner = subprocess.Popen([sys.executable, "-c", BURNER])
    try:
        yield burner
    finally:
        burner.kill()
        burner.wait()


BURNER = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end:\n    pass\n"


def flagship_at_gap_zero(catalogue) -> bytes:
    """The flagship as one uploadable file that cannot reach its gap soon (gap target 0)."""
    from planner.scenario import load_scenario, to_yaml

    scenario = load_scenario(SCENARIOS / "eu-gigafactory.yaml", catalogue)
    scenario = scenario.model_copy(update={"name": "flagship-gap0", "solver": scenario.solver
                                           .model_copy(update={"mip_gap_frac": 0.0,
                                                               "time_limit_s": 900.0})})
    return to_yaml(scenario).encode()


@contextmanager
def demo_page(url: str):
    """Chromium on the explorer, the small demo's first map drawn; yields the page and the
    console errors collected (the outlines loaded first: leaving before can trip a
    plotly.js race)."""
    from playwright.sync_api import expect, sync_playwright

    console_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        try:
            page.goto(url)
            expect(page.get_by_text("Small demo - three Nordic")).to_be_visible(timeout=60_000)
            expect(page.locator(".geolayer .countries path").first).to_be_attached(
                timeout=60_000)
            settled(page)
            yield page, console_errors
        finally:
            browser.close()


def go(page, name: str) -> None:
    """Open a page of the explorer from the sidebar."""
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text(
        name, exact=True).click()


def test_progress_cancel_compare_and_whatif_in_chromium_with_the_other_core_busy(
        served, busy_core, catalogue, tmp_path):
    """Progress with phase and gap on two pages, Cancel keeping HiGHS' best plan, Compare
    naming plans by what changed, a what-if of 5 carbon prices drawn; no console error."""
    from playwright.sync_api import expect

    shots = shots_dir(tmp_path)
    url, _ = served
    with demo_page(url) as (page, console_errors):
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "flagship-gap0.yaml", "mimeType": "application/x-yaml",
                    "buffer": flagship_at_gap_zero(catalogue)}])
        expect(page.get_by_role("heading", name="flagship-gap0")).to_be_visible(
            timeout=60_000)
        settled(page)
        page.get_by_role("button", name="Solve", exact=True).click()
        # the solve bar on the Scenario page: the phase, then HiGHS' best plan and gap
        bar = page.locator('[data-testid="stProgress"]')
        expect(bar).to_contain_text("building the model", timeout=60_000)
        expect(bar).to_contain_text("proven gap", timeout=240_000)
        shoot(page, shots, "solve-progress.png")
        # another page: the sidebar shows the same solve, refreshed, with its Cancel
        go(page, "Compare")
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("Solving flagship-gap0", timeout=30_000)
        expect(sidebar).to_contain_text("proven gap", timeout=30_000)
        expect(sidebar).to_contain_text("HiGHS branch and bound")
        shoot(page, shots, "solve-progress-sidebar.png")
        # Cancel, and see it taken before leaving the page: a click that reaches the
        # sidebar's fragment while it refreshes (each second), or just before a page
        # switch, can be dropped by Streamlit (a CI run lost one); a user sees the
        # solve still running and clicks again, as this does
        for _ in range(3):
            sidebar.get_by_role("button", name="Cancel the solve").click()
            try:
                expect(sidebar).not_to_contain_text("Solving flagship-gap0",
                                                    timeout=20_000)
                break
            except AssertionError:
                continue
        go(page, "Scenario")
        status = page.get_by_role("heading", name="stopped on request; best plan found")
        expect(status).to_be_visible(timeout=180_000)
        expect(status).to_contain_text("proven gap")
        expect(page.locator('[data-testid="stMetric"]').filter(has_text="GPUs")).to_be_visible()
        settled(page)

        # the small demo, then the same with a carbon price of 150 EUR/t
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Scenario").first.click()
        page.get_by_role("option", name="demo-small.yaml").click()
        expect(page.get_by_text("Small demo - three Nordic")).to_be_visible(timeout=30_000)
        settled(page)
        page.get_by_role("button", name="Solve", exact=True).click()
        expect(page.locator('[data-testid="stMetric"]').filter(has_text="GPUs"))\
            .to_contain_text("776", timeout=90_000)
        settled(page)
        page.get_by_role("tab", name="Policy").click()
        price = page.get_by_label("Carbon price [EUR/tCO2] (blank: finance default)")
        price.fill("150")
        price.press("Enter")
        expect(page.get_by_text("· edited", exact=False)).to_be_visible(timeout=30_000)
        settled(page)
        solved = page.get_by_role("heading", name="Plan: optimal")
        expect(solved).to_have_count(0)  # the edited scenario has no plan yet
        page.get_by_role("button", name="Solve", exact=True).click()
        expect(solved).to_be_visible(timeout=90_000)
        settled(page)

        go(page, "Compare")
        table = page.locator('[data-testid="stDataFrame"]').first
        expect(table).to_be_visible(timeout=30_000)
        settled(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        shoot(page, shots, "compare.png")
        assert "plans are named by what they change" in text.lower()
        chosen = page.locator('[data-testid="stMultiSelect"]').inner_text()
        assert "demo-small: carbon price 150 EUR/tCO2" in chosen, chosen
        assert "flagship-gap0" in chosen, chosen

        go(page, "What-if")
        expect(page.get_by_role("heading", name="What-if")).to_be_visible(timeout=30_000)
        settled(page)
        expect(page.get_by_role("combobox", name="Around the scenario of the plan"))\
            .to_have_value("demo-small: carbon price 150 EUR/tCO2")
        page.get_by_role("button", name="Run the what-if").click()
        expect(page.get_by_text("variants solved", exact=False).first).to_be_visible(
            timeout=60_000)
        curve = page.locator(".js-plotly-plot").filter(has_text="What-if: carbon price")
        expect(curve).to_be_visible(timeout=240_000)
        settled(page)
        # five carbon prices, one marker each in the TCO, sites and emissions panels
        assert curve.locator(".scatterlayer .trace .points path").count() == 15
        front = page.locator(".js-plotly-plot").filter(has_text="Cost against emissions")
        expect(front).to_be_visible()
        expect(page.get_by_role("button", name="Study workbook (.xlsx)")).to_be_visible()
        curve.scroll_into_view_if_needed()
        shoot(page, shots, "whatif.png")
        assert page.locator('[data-testid="stException"]').count() == 0
    assert console_errors == []


def test_why_robustness_and_alternatives_in_chromium(served, tmp_path):
    """For the solved demo: the Why this plan view with its site table and the policies
    priced, a robustness study of 2 draws, two alternatives found and compared."""
    from playwright.sync_api import expect

    shots = shots_dir(tmp_path)
    url, _ = served
    with demo_page(url) as (page, console_errors):
        main = page.locator('[data-testid="stMain"]')
        page.get_by_role("button", name="Solve", exact=True).click()
        expect(page.locator('[data-testid="stMetric"]').filter(has_text="GPUs"))\
            .to_contain_text("776", timeout=90_000)
        settled(page)

        page.get_by_role("button", name="Open the plan").click()
        expect(page.get_by_role("button", name="Download Excel report")).to_be_visible(
            timeout=30_000)
        settled(page)
        view = page.locator('[data-testid="stRadio"]').filter(has_text="View")
        view.get_by_text("Why this plan", exact=True).click()
        chart = page.locator(".js-plotly-plot").filter(
            has_text="Levelised cost of 1 MW of IT by site and part")
        expect(chart).to_be_visible(timeout=60_000)
        settled(page)
        sites = page.locator('[data-testid="stDataFrame"]').first
        for text in ("bologna", "kajaani", "power"):
            expect(sites).to_contain_text(text, timeout=10_000)
        page.get_by_role("button", name="Price the policies").click()
        expect(page.get_by_text("cost = TCO of the plan", exact=False)).to_be_visible(
            timeout=90_000)
        settled(page)
        expect(page.locator('[data-testid="stDataFrame"]').nth(1)).to_contain_text(
            "renewable share")
        chart.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no tooltip over the picture
        shoot(page, shots, "why.png")

        go(page, "Robustness")
        form = page.locator('[data-testid="stForm"]')
        expect(form).to_be_visible(timeout=30_000)
        settled(page)
        draws = form.get_by_label("draws", exact=True)
        draws.fill("2")
        draws.press("Tab")
        form.get_by_role("button", name="Run the robustness study").click()
        expect(main).to_contain_text("open in 100% of draws", timeout=180_000)
        expect(main).to_contain_text("regret of the base siting")
        expect(page.locator(".js-plotly-plot").filter(
            has_text="Robustness: cost spread and regret")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Study workbook (.xlsx)")).to_be_visible()
        settled(page)
        shoot(page, shots, "robustness.png")

        go(page, "Alternatives")
        form = page.locator('[data-testid="stForm"]')
        expect(form).to_be_visible(timeout=30_000)
        settled(page)
        for label, value in (("cost slack [% of the optimum's TCO]", "15"),
                             ("alternatives", "2")):
            box = form.get_by_label(label, exact=True)
            box.fill(value)
            box.press("Tab")
        form.get_by_role("button", name="Find alternatives").click()
        expect(main).to_contain_text("2 alternatives found within 15.0%", timeout=180_000)
        expect(page.locator(".js-plotly-plot").filter(
            has_text="Share of the IT nameplate by member state")).to_be_visible(
            timeout=30_000)
        settled(page)
        shoot(page, shots, "alternatives.png")
        page.get_by_role("button", name="Compare them with the optimum").click()
        expect(page.get_by_role("heading", name="Compare plans")).to_be_visible(
            timeout=30_000)
        settled(page)
        chosen = page.locator('[data-testid="stMultiSelect"]').inner_text()
        assert "demo-small · alternative a01 (without IT, +" in chosen, chosen
        assert "alternative a02" in chosen, chosen
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
    assert console_errors == []
