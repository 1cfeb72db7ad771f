"""Search finding a story by its live updates, in a real browser: the result shows the update's words, its label
leads to the update (on the story page or an older page), and the page passes axe, light and dark, in both
editions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.publishing import post_update, with_updates
from articles.tests.test_browser import serious_violations, stories  # noqa: F401 - fixtures

pytestmark = BROWSER_TEST_MARKS

CASES = {
    "english": ("Coalition jets struck Hajin overnight.", "/search/?q=hajin", "Live update, "),
    "arabic": ("قصف التحالف مواقع في هجين ليلاً.", "/ar/search/?q=هجين", "تحديث مباشر، "),
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["english", "arabic"])
def test_a_reader_finds_a_story_by_its_update_and_its_label_leads_to_the_update(
    live_server, browser, stories, publisher, language, scheme
):
    text, address, label = CASES[language]
    article = stories[language]
    update = post_update(article, publisher, text)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.goto(live_server.url + address)
    result = page.locator(".search-results li.story")
    assert result.count() == 1
    snippet = result.locator("p.snippet")
    assert snippet.locator("mark").count() == 1
    link = snippet.locator("a.snippet-update")
    assert link.inner_text().startswith(label)
    assert serious_violations(page) == []
    link.click()
    page.wait_for_url(f"**{article.get_absolute_url()}#update-{update.pk}")
    target = page.locator(f"#update-{update.pk}")
    assert target.locator(".live-update-text").inner_text() == text
    assert target.is_visible() and target.evaluate("el => el.getBoundingClientRect().top < window.innerHeight")
    page.close()


def test_the_label_of_an_update_on_an_older_page_leads_there(live_server, browser, stories, publisher):
    article = stories["english"]
    old = post_update(
        article, publisher, "Coalition jets struck Hajin overnight.", at=timezone.now() - timedelta(hours=5)
    )
    with_updates(article, 120, start=timezone.now() - timedelta(hours=4))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/search/?q=hajin")
    page.locator("a.snippet-update").click()
    page.wait_for_url(f"**{article.live_updates_url(2)}#update-{old.pk}")
    assert page.locator(f"#update-{old.pk} .live-update-text").inner_text() == "Coalition jets struck Hajin overnight."
    page.close()
