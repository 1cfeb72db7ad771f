"""A long live blog in a real browser: a reader walks from the story to its older updates and back, in both
editions, and both pages pass axe."""

import pytest

from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.publishing import with_updates
from articles.tests.test_browser import serious_violations, stories  # noqa: F401 - fixtures

pytestmark = BROWSER_TEST_MARKS

WORDS = {
    "english": {"older": "Older updates", "newer": "Newer updates", "heading": "Older live updates, page 2 of 2"},
    "arabic": {"older": "تحديثات أقدم", "newer": "تحديثات أحدث", "heading": "تحديثات مباشرة أقدم، الصفحة ٢ من ٢"},
}


@pytest.mark.parametrize("language", ["english", "arabic"])
def test_a_reader_walks_from_the_story_to_its_older_updates_and_back(live_server, browser, stories, language):
    article = with_updates(stories[language], 150)
    words = WORDS[language]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    story_updates = page.locator("section.live-updates article.live-update")
    assert story_updates.count() == 100
    assert serious_violations(page) == []  # with the link that ends the section
    page.locator("section.live-updates").get_by_role("link", name=words["older"]).click()
    page.wait_for_url(f"**{article.live_updates_url(2)}")
    section = page.get_by_role("region", name=words["heading"])
    assert section.is_visible()
    assert section.locator("article.live-update").count() == 50
    assert section.locator(".live-update-text").first.inner_text() == "Update 49"
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "arabic" else "ltr")
    assert page.get_by_role("link", name=words["older"]).count() == 0  # the last page
    assert serious_violations(page) == []
    # Back: the newer updates are the story's own, and the reader lands on them.
    page.get_by_role("link", name=words["newer"]).click()
    page.wait_for_url(f"**{article.get_absolute_url()}#live-updates-title")
    assert story_updates.first.locator(".live-update-text").inner_text() == "Update 149"
    # The headline of the older page leads back to the story too.
    page.go_back()
    page.wait_for_url(f"**{article.live_updates_url(2)}")
    page.locator("h1 a").click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    page.close()
