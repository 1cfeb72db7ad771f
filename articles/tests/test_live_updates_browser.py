"""Live updates in a real browser: a live story's page passes axe in both editions, light and dark, and an
update's anchor leads to it."""

import pytest

from articles import workflow
from articles.models import LiveUpdate
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.test_browser import serious_violations, stories  # noqa: F401 - fixtures

pytestmark = BROWSER_TEST_MARKS

UPDATES = {
    "english": [("", "Fighting moved to the river bank.\n\nResidents fled north."), ("Ceasefire", "It holds.")],
    "arabic": [("", "انتقل القتال إلى ضفة النهر.\n\nفرّ السكان شمالا."), ("وقف إطلاق النار", "صامد حتى الآن.")],
}


@pytest.fixture
def live(stories, publisher):
    """Both editions' stories with two live updates each, the newer one titled."""
    for language, updates in UPDATES.items():
        for title, text in updates:
            workflow.post_live_update(stories[language], by=publisher, text=text, title=title)
    return stories


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language, heading", [("english", "Live updates"), ("arabic", "تحديثات مباشرة")])
def test_a_live_story_page_passes_axe_and_its_anchors_lead_to_the_updates(
    live_server, browser, live, scheme, language, heading
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    newest = LiveUpdate.objects.filter(article=live[language]).first()
    page.goto(f"{live_server.url}{live[language].get_absolute_url()}#update-{newest.pk}")
    section = page.get_by_role("region", name=heading)
    assert section.is_visible()
    assert section.get_by_role("heading", level=3).inner_text() == UPDATES[language][1][0]
    assert page.locator(f"#update-{newest.pk}").is_visible()
    assert serious_violations(page) == []
    context.close()
