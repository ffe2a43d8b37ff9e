"""The web app in a real browser, with no network: Debian's chromium driven by Playwright.

``crisis-sim app`` runs as a subprocess on a free port of 127.0.0.1, with an audit
hook that reports every connection it opens and every name it looks up that is not
this machine. The test fails on any such connection, on any request of the page to
an address other than 127.0.0.1 (each is aborted and logged), and on any page error
or console error. It steps one world and sees the week and the event log change,
resets it, moves a judgement slider in the explorer and sees the outcome
distribution change, and saves a screenshot of each view.

Screenshots go to a temporary folder; with ``CRISIS_SIM_APP_SCREENSHOTS=DIR`` also
to DIR (``CRISIS_SIM_APP_SCREENSHOTS=docs/figures ./dev test -m slow
tests/test_app_browser.py`` refreshes the README's).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    # chromium's own background traffic (updates, sync, field trials...), which a
    # closed network refuses and which is no request of the page:
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

AUDITED_SERVER = """
import sys

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", None, ""}


def audit(event, args):
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and address and address[0] not in LOOPBACK:
            print(f"OUTSIDE connect {address!r}", file=sys.stderr, flush=True)
    elif event == "socket.getaddrinfo":
        if args[0] not in LOOPBACK:
            print(f"OUTSIDE lookup {args[0]!r}", file=sys.stderr, flush=True)


sys.addaudithook(audit)
from crisis_sim.cli import main

sys.exit(main(sys.argv[1:]))
"""
"""The server's process: ``crisis-sim`` with an audit hook on sockets (PEP 578)."""

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail("chromium is missing: apt-get install chromium (Debian's, /usr/bin/chromium)")
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("CRISIS_SIM_APP_SCENARIO", None)
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", AUDITED_SERVER, "app", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"crisis-sim app did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
    yield url, log
    process.terminate()
    process.wait(timeout=30)


class Watch:
    """Every request of the page by host, the ones aborted, and the page's errors."""

    def __init__(self, page: Page) -> None:
        self.hosts: Counter[str] = Counter()
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.route("**/*", self.request)
        page.on(
            "console",
            lambda message: (
                message.type == "error" and self.errors.append(f"console: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def request(self, route) -> None:
        host = urlparse(route.request.url).hostname or ""
        self.hosts[host] += 1
        if host in LOOPBACK and host != "localhost":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


def save(page: Page, folder: Path, name: str) -> Path:
    path = folder / name
    page.screenshot(path=str(path))
    wanted = os.environ.get("CRISIS_SIM_APP_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(wanted) / name)
    return path


def text_of(page: Page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


def test_the_app_runs_offline_steps_a_world_and_explores_an_ensemble(server, tmp_path):
    url, log = server
    started = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        watch = Watch(page)

        # One world: Step moves the week and grows the log; Reset reloads the world.
        page.goto(url)
        page.get_by_text("Week 0: 2022-01-13").wait_for(timeout=90_000)
        log_at_start = text_of(page, ".event-log")
        step = page.get_by_role("button", name="Step", exact=True)
        step.click()
        page.get_by_text("Week 1: 2022-01-20").wait_for(timeout=30_000)
        log_after_step = text_of(page, ".event-log")
        assert log_after_step != log_at_start
        assert "2022-01-20" in log_after_step and "2022-01-20" not in log_at_start
        for week in range(2, 13):
            step.click()
            page.get_by_text(f"Week {week}: ").wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        save(page, tmp_path, "app_one_world.png")
        page.get_by_role("button", name="Reset", exact=True).click()
        page.get_by_text("Week 0: 2022-01-13").wait_for(timeout=30_000)
        assert text_of(page, ".event-log") == log_at_start

        # The explorer: moving a judgement slider fixes it and moves the distribution.
        page.get_by_role("button", name="Ensemble explorer").click()
        page.locator(".outcome-table").wait_for(timeout=90_000)
        before = text_of(page, ".outcome-table")
        assert "Full-scale invasion" in before and "Monte Carlo 95%" in before
        status = text_of(page, ".run-status")
        assert "2,000 worlds of baseline," in status
        slider = page.locator(".v-navigation-drawer .v-slider").first
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        assert box is not None
        # russia.revisionist_prior, near the top of its posterior 5-95%
        page.mouse.click(box["x"] + 0.95 * box["width"], box["y"] + box["height"] / 2)
        page.get_by_text("worlds of baseline_edited").wait_for(timeout=90_000)
        after = text_of(page, ".outcome-table")
        assert after != before
        page.get_by_role("tab", name="Paired difference").click()
        page.locator(".comparison-table").wait_for(timeout=30_000)
        assert "Against baseline" in text_of(page, ".comparison-table")
        page.get_by_role("tab", name="Outcomes").click()
        page.locator(".outcome-table").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the tab's slide-in
        save(page, tmp_path, "app_explorer.png")
        browser.close()

    seconds = time.perf_counter() - started
    report = {"seconds": round(seconds, 1), "requests_by_host": dict(watch.hosts)}
    (tmp_path / "requests.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nbrowser test: {report}")
    assert not watch.outside, f"the page asked for addresses other than 127.0.0.1: {watch.outside}"
    assert not watch.errors, f"the page reported errors: {watch.errors}"
    assert set(watch.hosts) == {"127.0.0.1"}
    outside = [line for line in log.read_text().splitlines() if line.startswith("OUTSIDE")]
    assert not outside, f"the server reached out: {outside}"
    assert (tmp_path / "app_one_world.png").stat().st_size > 10_000
    assert (tmp_path / "app_explorer.png").stat().st_size > 10_000
