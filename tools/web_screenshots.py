"""Screenshots of `hosim serve` for README.md and docs/web.md: the risk page with an estimate, a finished
2-D hip run, and the risk page at phone width. Needs Playwright and a Chromium (as the browser tests).

    python3 tools/web_screenshots.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def serve(folder: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "hosim.cli", "serve", "--port", str(port), "--folder", folder])
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("hosim serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    chromium = parser.parse_args().chromium
    with tempfile.TemporaryDirectory() as folder:
        process, url = serve(folder + "/jobs")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1100, "height": 1400})
                page.goto(url + "/risk?setting=tha&factor=male&factor=ankylosing-spondylitis&factor=prior-ho"
                          "&mechanistic=1&show=1")
                page.screenshot(path=str(FIGURES / "web_risk.png"))
                page.set_viewport_size({"width": 390, "height": 844})
                page.screenshot(path=str(FIGURES / "web_phone.png"))
                page.set_viewport_size({"width": 1100, "height": 1400})
                page.goto(url + "/scenario?scenario=tha")
                for factor in ("male", "ankylosing-spondylitis", "prior-ho"):
                    page.check(f"#factor-{factor}")
                page.click("#scenario-form button[type=submit]")
                page.wait_for_selector("#results", timeout=300_000)
                page.screenshot(path=str(FIGURES / "web_scenario.png"), full_page=True)
                browser.close()
        finally:
            process.terminate()
            process.wait(20)
    print("wrote", ", ".join(str(FIGURES / f"web_{n}.png") for n in ("risk", "phone", "scenario")))


if __name__ == "__main__":
    main()
