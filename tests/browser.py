"""A real browser for the tests: Debian's chromium driven by Playwright, against Django's live
server. Loaded as a pytest plugin from the root conftest.

Playwright's sync API keeps an event loop on the test's thread, which makes Django refuse
database calls from that thread; the tests only talk to the database between browser steps,
so DJANGO_ALLOW_ASYNC_UNSAFE is set for them.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is needed (make test installs it).", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Iterator:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Django keeps a database connection per context, and Playwright's event loop makes a new
    # one: give it the serialized initial data that transactional tests restore after their
    # flush (Wagtail's root page, locale, site and collection come from migrations).
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser) -> Iterator:
    """A fresh phone-sized browser context (its own cookies, cache and service worker)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    context.set_default_timeout(15_000)
    yield waits_for_puente(context)
    context.close()


# boot.js loads puente.js after the load event. Pages of a context with JavaScript wait for it
# after each navigation, as a person's next tap comes a moment later; a page without boot.js
# (the admin, an error page) does not wait.
PUENTE_READY = (
    "() => !document.querySelector('script[data-src]')"
    " || document.documentElement.dataset.puente === 'ready'"
)
NAVIGATIONS = ("goto", "reload", "go_back", "wait_for_load_state", "wait_for_url")


def waits_for_puente(context):
    """The context, whose new pages wait for puente.js after each navigation."""
    new_page = context.new_page

    def new_page_waiting(*args, **kwargs):
        page = new_page(*args, **kwargs)
        for name in NAVIGATIONS:
            setattr(page, name, _then_wait_for_puente(page, getattr(page, name)))
        return page

    context.new_page = new_page_waiting
    return context


def _then_wait_for_puente(page, navigation):
    def navigate(*args, **kwargs):
        result = navigation(*args, **kwargs)
        page.wait_for_function(PUENTE_READY)
        return result

    return navigate


class LoadRecorder:
    """Through the page's DevTools session: the requests it starts before its load event
    (call ``load_done()`` then), the bytes each took on the wire, and whether each answer
    was compressed. Used by the budget test and by bench/phone_budget.py."""

    def __init__(self, cdp) -> None:
        self.started: dict[str, str] = {}  # request id -> URL
        self.start_times: dict[str, float] = {}  # request id -> DevTools monotonic time
        self.sizes: dict[str, int] = {}  # request id -> encoded bytes
        self.compressed: dict[str, bool] = {}
        self._loaded = False
        self._load_time: float | None = None
        cdp.send("Network.enable")
        cdp.send("Page.enable")
        # The load event's time, on the requests' clock: a request started after it (puente.js,
        # by boot.js) does not count, however soon the test gets to call load_done().
        cdp.on("Page.loadEventFired", self._load_fired)
        cdp.on("Network.requestWillBeSent", self._started)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def load_done(self) -> None:
        self._loaded = True

    def before_load(self, skip: tuple[str, ...] = ("/media/images/",)) -> dict[str, str]:
        """Network requests before the load event (data: URLs are the browser's own), but
        those whose URL contains one of ``skip``."""
        return {
            request_id: url
            for request_id, url in self.started.items()
            if not url.startswith("data:")
            and not any(part in url for part in skip)
            and (self._load_time is None or self.start_times[request_id] < self._load_time)
        }

    def _load_fired(self, event: dict) -> None:
        if self._load_time is None:
            self._load_time = event["timestamp"]

    def _started(self, event: dict) -> None:
        if not self._loaded:
            self.started.setdefault(event["requestId"], event["request"]["url"])
            self.start_times.setdefault(event["requestId"], event["timestamp"])

    def _received(self, event: dict) -> None:
        headers = {name.lower() for name in event["response"]["headers"]}
        self.compressed[event["requestId"]] = "content-encoding" in headers

    def _finished(self, event: dict) -> None:
        self.sizes[event["requestId"]] = event["encodedDataLength"]


def sign_in(page, base_url: str, username: str, password: str, language: str = "en") -> None:
    page.goto(f"{base_url}/{language}/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: make test installs it with npm.", pytrace=False)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: [
                "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )


# The phone's offline queue (puente.js, IndexedDB).


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def queued(page) -> int:
    return page.evaluate("PuenteQueue.all().then(items => items.length)")


def wait_until_sent(page, timeout: float = 15.0) -> None:
    """Poll the phone's queue until it is empty (wait_for_function would not await it)."""
    deadline = time.monotonic() + timeout
    while queued(page):
        assert time.monotonic() < deadline, "the queued events were not sent"
        page.wait_for_timeout(100)
