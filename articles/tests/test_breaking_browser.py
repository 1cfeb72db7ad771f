"""The breaking-news banner in a real browser: readable and accessible in light and dark pages, in both
editions, and it leads to the story."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import workflow
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.test_browser import serious_violations, stories  # noqa: F401 - fixtures
from articles.tests.test_dark_browser import CONTRAST

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def breaking(stories, publisher):
    """Both editions' stories shown as breaking news for two hours."""
    for language in ("english", "arabic"):
        workflow.mark_breaking(stories[language], by=publisher, until=timezone.now() + timedelta(hours=2))
    return stories


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language, address", [("english", "/"), ("arabic", "/ar/")])
def test_the_banner_is_readable_passes_axe_and_leads_to_the_story(
    live_server, browser, breaking, scheme, language, address
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(live_server.url + address)
    banner = page.get_by_role("region", name="عاجل" if language == "arabic" else "Breaking news")
    assert banner.is_visible()
    # The strip's text on its own colour; the headline and the label are written in the strip's text colour.
    assert page.evaluate(CONTRAST, ".breaking") >= 4.5
    colour = "s => getComputedStyle(document.querySelector(s)).color"
    colours = [page.evaluate(colour, selector) for selector in (".breaking", ".breaking a", ".breaking-label")]
    assert len(set(colours)) == 1, colours
    assert serious_violations(page) == []
    banner.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == breaking[language].headline
    context.close()


def test_a_phone_shows_the_whole_headline_without_scrolling_sideways(live_server, browser, breaking):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/ar/")
    assert page.locator(".breaking a").inner_text() == breaking["arabic"].headline
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
