"""Shared set-up for the browser tests: Debian's Chromium driven by Playwright (its own download cannot work here)."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# The marks of every browser test module: its marker (`-m "not browser"` leaves them out), committed data
# (the browser reads through another connection), and a skip with the reason when Chromium is missing.
BROWSER_TEST_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]
# Headless, as root, and quiet on a machine with no network: background services would only fail and retry.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright):
    """A headless Chromium browser started through `playwright` (a sync_playwright() handle)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a test module (import this fixture into the module that uses it)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@contextmanager
def chromium_page(viewport=None):
    """A page in its own headless Chromium, for a test that touches the database only outside this block
    (Playwright's sync API runs an event loop, where Django refuses synchronous queries)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium.new_page(viewport=viewport or {"width": 1400, "height": 1000})
        finally:
            chromium.close()
