"""hosim serve in a real headless Chromium (Playwright driving Debian's chromium, which .ci/run installs):
a person fills the risk form, runs a scenario and watches it finish, opens its figures, uses the keyboard;
every page at desktop and phone width; nothing is loaded from outside the server."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

playwright = pytest.importorskip("playwright.sync_api")
axe = pytest.importorskip("axe_playwright_python.sync_playwright")
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)),
                None)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (CI installs it in .ci/run)")]
# What the browser needs where it runs as root in a container, and what keeps it off the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGES = {"home": "/", "risk": "/risk?setting=tha&factor=male&show=1", "scenario": "/scenario?scenario=tha",
         "cohort": "/cohort", "trial": "/trial", "jobs": "/jobs", "api": "/docs"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`hosim serve` as a user starts it, on a free port, with its jobs in a test folder."""
    port = free_port()
    folder = tmp_path_factory.mktemp("served")
    process = subprocess.Popen([sys.executable, "-m", "hosim.cli", "serve", "--port", str(port), "--folder",
                                str(folder / "jobs")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"hosim serve did not start: {process.stdout.read()}")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(20)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def accessibility_violations(page) -> list:
    """axe-core's WCAG violations on the page as it is now (rule, impact, how many elements)."""
    found = axe.Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], len(v["nodes"])) for v in found]


@pytest.fixture
def page(browser, server):
    """A fresh page that records every address it asks for."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    tab = context.new_page()
    tab.asked = []
    tab.on("request", lambda request: tab.asked.append(request.url))
    tab.set_default_timeout(30_000)
    yield tab
    outside = [u for u in tab.asked if not u.startswith((server, "data:", "blob:", "about:"))]
    context.close()
    assert not outside, f"the page loaded from outside the server: {outside[:5]}"


def test_risk_form_gives_the_estimate_and_downloads(page, server):
    page.goto(server + "/risk")
    page.select_option("#setting-choice", "tha")  # the chooser reloads the form with the setting's factors
    page.wait_for_url("**/risk?setting=tha")
    page.check("#factor-male")
    page.check("#factor-prior-ho")
    page.select_option("#prophylaxis", "nsaid")
    page.click("#risk-form button[type=submit]")
    shown = page.text_content("#per-hundred")
    expected = urllib.request.urlopen(server + "/api/risk?setting=tha&factor=male&factor=prior-ho&prophylaxis=nsaid")
    import json

    probability = json.load(expected)["any_ho"]["probability"]
    assert shown == f"{round(probability * 100)} in 100"
    assert "Sources" in page.text_content("#estimate")
    with page.expect_download() as report:
        page.click("#report-link")
    assert report.value.suggested_filename == "hosim-risk-report.html"
    with page.expect_download() as fhir:
        page.click("#fhir-link")
    assert fhir.value.suggested_filename == "hosim-risk-assessment.json"


def test_a_bad_value_comes_back_as_a_message(page, server):
    page.goto(server + "/risk?setting=burns")
    page.fill("#tbsa", "40")
    page.evaluate("document.getElementById('tbsa').removeAttribute('max')")  # past the browser's own check
    page.fill("#tbsa", "140")
    page.click("#risk-form button[type=submit]")
    assert "tbsa" in page.text_content("#error").lower()


def test_a_scenario_runs_in_the_background_and_shows_its_figures(page, server):
    page.goto(server + "/scenario")
    page.select_option("#scenario-choice", "tha")
    page.wait_for_url("**/scenario?scenario=tha")
    page.select_option("#dims", "0")
    page.check("#factor-male")
    page.select_option("#i0_name", "nsaid")
    page.fill("#i0_end", "7")
    page.click("#scenario-form button[type=submit]")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#results", timeout=120_000)  # the page follows the job and reloads when it is done
    assert "done" in page.text_content("#job-status")
    assert page.locator("#stages tr").count() > 1
    images = page.locator("#figures img")
    assert images.count() >= 2
    assert accessibility_violations(page) == []
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    with page.expect_navigation():
        page.locator("#figures a").first.click()
    assert page.evaluate("document.contentType") == "image/png"


def test_a_cohort_and_a_trial_run_from_their_pages(page, server):
    page.goto(server + "/cohort?setting=tha")
    page.fill("#n", "100")
    page.click("#cohort-form button[type=submit]")
    page.wait_for_selector("#results", timeout=120_000)
    assert "Any HO" in page.text_content("#incidence") and page.locator("#brooker td").count() == 5
    page.goto(server + "/trial?setting=tha")
    page.fill("#n", "100")  # the form offers control and 7 days of indomethacin
    page.click("#trial-form button[type=submit]")
    page.wait_for_selector("#results", timeout=120_000)
    rows = page.locator("#arms tr")
    assert rows.count() == 3 and "reference" in rows.nth(1).text_content()
    assert page.locator("#figures img").count() >= 1
    assert accessibility_violations(page) == []


def test_the_risk_form_works_from_the_keyboard(page, server):
    page.goto(server + "/risk?setting=tha")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#factor-male")
    page.keyboard.press("Space")
    for _ in range(40):  # tab on to the Estimate button and press it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Estimate":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("#estimate")
    assert "male" in page.url


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_fits_its_screen(page, server, name, size, tmp_path):
    viewport = DESKTOP if size == "desktop" else PHONE
    page.set_viewport_size(viewport)
    page.goto(server + PAGES[name])
    page.wait_for_load_state("networkidle")
    shot = tmp_path / f"{name}-{size}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow} px wider than a {size} screen"
    unlabelled = page.evaluate("""[...document.querySelectorAll('main input:not([type=hidden]), main select')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.name)""")
    assert not unlabelled, f"fields without a label on {name}: {unlabelled}"
    if size == "desktop" and name != "api":  # the API page is Swagger UI's, not ours
        assert accessibility_violations(page) == []
