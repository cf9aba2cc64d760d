"""The explorer in a real headless Chromium, served by ``streamlit run app.py``.

Loads the app, picks demo-small, solves it, sees the KPIs and the map drawn from the
outlines the app serves itself, uploads a malformed file, opens the energy view,
and fails on any request to another host than this machine (from the browser, or
from the server: an audit hook in the server's Python logs every name lookup and
connection), on an exception shown in the page, or on a browser console error.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from planner.explorer.serve import CHROMIUM, CHROMIUM_ARGS, serve
from tests.conftest import ROOT

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


def foreign(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme not in ("data", "blob")
            and urlparse(u).hostname not in LOCAL_HOSTS]


def test_solve_the_demo_in_chromium_with_no_request_leaving_the_machine(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install chromium (.ci/run does)"
    url, network_log = served
    requests, console_errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
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
                   .filter(has_text="TCO [EUR/yr]")).to_contain_text(" M")
            # the map redrawn with the chosen site, once the script run has ended
            expect(page.locator(".js-plotly-plot text", has_text="Bologna")).to_be_attached(
                timeout=30_000)
            settled(page)
            # outlines from world_50m.json, served by the app: borders, land, member states
            assert len(countries.first.get_attribute("d")) > 10_000
            assert len(page.locator(".geolayer .land path").first.get_attribute("d")) > 10_000
            assert page.locator(".choroplethlayer path").count() == 27
            page.mouse.wheel(0, 600)
            page.screenshot(path=str(tmp_path / "solved.png"))

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
            settled(page)
            page.locator('[data-testid="stRadio"]').filter(has_text="View").get_by_text(
                "Energy", exact=True).click()
            expect(page.get_by_text("Dispatch at bologna, day 1")).to_be_attached(timeout=30_000)
            settled(page)
            page.screenshot(path=str(tmp_path / "energy.png"))
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
    assert foreign(requests) == []
    assert any(u.endswith("/app/static/topojson/world_50m.json") for u in requests)
    assert console_errors == []
    assert not network_log.exists(), network_log.read_text()
