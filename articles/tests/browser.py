"""Shared set-up for the browser tests: Debian's Chromium driven by Playwright (its own download cannot work here)."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
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
