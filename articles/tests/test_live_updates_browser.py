"""Live updates in a real browser: a live story's page passes axe in both editions, light and dark, an
update's anchor leads to it, and an open page offers new updates as they are posted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import workflow
from articles.models import LiveUpdate
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.factories import AuthorFactory
from articles.tests.test_browser import serious_violations, stories  # noqa: F401 - fixtures

pytestmark = BROWSER_TEST_MARKS

UPDATES = {
    "english": [("", "Fighting moved to the river bank.\n\nResidents fled north."), ("Ceasefire", "It holds.")],
    "arabic": [("", "انتقل القتال إلى ضفة النهر.\n\nفرّ السكان شمالا."), ("وقف إطلاق النار", "صامد حتى الآن.")],
}


KEY_EVENTS = {"english": "Key events", "arabic": "أبرز الأحداث"}
BYLINES = {"english": "By Layla Hassan", "arabic": "بقلم ليلى حسن"}


@pytest.fixture
def live(stories, publisher):
    """Both editions' stories with two live updates each, the newer one titled and with a byline of its own."""
    writer = AuthorFactory(display_name="Layla Hassan", name_ar="ليلى حسن", slug="layla-hassan")
    for language, updates in UPDATES.items():
        for title, text in updates:
            author = writer if title else None
            workflow.post_live_update(stories[language], by=publisher, text=text, title=title, author=author)
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
    assert (
        section.locator("article.live-update").get_by_role("heading", level=3).inner_text() == UPDATES[language][1][0]
    )
    assert page.locator(f"#update-{newest.pk}").is_visible()
    # The titled update's own byline, linking to its writer's page; the other update has none.
    bylines = section.locator(".live-update-byline")
    assert bylines.all_inner_texts() == [BYLINES[language]]
    assert bylines.get_by_role("link").get_attribute("href").endswith("/author/layla-hassan/")
    # The key events list the titled update, and its link leads to it.
    events = section.get_by_role("navigation", name=KEY_EVENTS[language])
    assert events.get_by_role("listitem").count() == 1
    events.get_by_role("link").click()
    page.wait_for_url(f"**{live[language].get_absolute_url()}#update-{newest.pk}")
    assert serious_violations(page) == []
    context.close()


# -- an open page follows the story (static/js/live_updates.js) ---------------------------------------------------


@pytest.fixture
def asking_every_second(settings):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 1


def story_page(browser, live_server, article):
    """A new browser page open on the story."""
    page = browser.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    return page


def take_offer(page, name):
    """Wait for the page to offer what changed (the button named `name`), then press it."""
    offer = page.get_by_role("button", name=name)
    offer.wait_for(timeout=10_000)
    offer.click()


def story_requests(page, article):
    """The list of the page's own requests for the story's address after it loaded, kept up to date."""
    asked, address = [], article.get_absolute_url()
    page.on("request", lambda request: asked.append(request) if request.url.endswith(address) else None)
    return asked


def test_a_reader_is_offered_new_updates_and_the_page_moves_only_when_asked(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    article = live["english"]
    page = story_page(browser, live_server, article)
    updates = page.locator("article.live-update")
    assert updates.count() == 2
    updated = page.locator(".article-meta .updated time")
    shown_at = updated.get_attribute("datetime")
    offer = page.get_by_role("button", name="New updates: 2. Show them")
    assert page.locator("button.live-new").is_hidden()
    key_events = page.get_by_role("navigation", name="Key events").get_by_role("link")
    assert key_events.locator(".key-event-title").all_inner_texts() == ["Ceasefire"]
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="Troops entered the town.", title="Town taken")
        workflow.post_live_update(article, by=publisher, text="Shops reopened.")
    offer.wait_for(timeout=10_000)
    # Offered in the status region, and nothing moved under the reader.
    assert page.get_by_role("status").inner_text() == "New updates: 2. Show them"
    assert updates.count() == 2
    assert updated.get_attribute("datetime") == shown_at
    assert key_events.locator(".key-event-title").all_inner_texts() == ["Ceasefire"]
    assert serious_violations(page) == []
    offer.click()
    assert updates.count() == 4
    # The key events now start with the new titled update, and its link leads to it.
    assert key_events.locator(".key-event-title").all_inner_texts() == ["Town taken", "Ceasefire"]
    assert key_events.first.get_attribute("href") == f"#update-{LiveUpdate.objects.get(title='Town taken').pk}"
    # The story's "Updated" time is now the newest update's.
    newest = LiveUpdate.objects.filter(article=article).first()
    assert updated.get_attribute("datetime") == timezone.localtime(newest.posted_at).isoformat()
    assert updated.get_attribute("datetime") != shown_at
    assert [updates.nth(n).locator(".live-update-text").inner_text() for n in range(3)] == [
        "Shops reopened.", "Troops entered the town.", "It holds.",
    ]  # fmt: skip
    # The keyboard is on the newest update, and the offer is gone.
    assert updates.first.evaluate("update => update === document.activeElement")
    assert page.locator("button.live-new").is_hidden()
    page.close()


def test_a_pin_is_offered_as_a_change_and_shown_above_the_updates_when_taken(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    article = live["english"]
    oldest = LiveUpdate.objects.filter(article=article).last()
    page = story_page(browser, live_server, article)
    section = page.get_by_role("region", name="Live updates")
    pinned = section.get_by_role("group", name="Pinned")
    assert pinned.count() == 0
    with live_server_held():
        workflow.pin_live_update(oldest, by=publisher)
    page.get_by_role("button", name="Some updates have changed. Show them").wait_for(timeout=10_000)
    assert pinned.count() == 0  # nothing moves until the reader asks
    take_offer(page, "Some updates have changed. Show them")
    assert (
        pinned.locator(".live-update-text").inner_text() == "Fighting moved to the river bank.\n\nResidents fled north."
    )
    # Above the key events and the updates; its time leads to the update in its place, the only one with its id.
    assert page.locator(".live-updates > :is(div, nav, article)").first.get_attribute("class") == "live-pinned"
    assert page.locator(f"#update-{oldest.pk}").count() == 1
    pinned.locator("a.live-update-link").click()
    page.wait_for_url(f"**#update-{oldest.pk}")
    assert serious_violations(page) == []
    # A new update goes on top of the updates, below the pin; taking the pin off takes the box away.
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="Troops entered the town.")
        workflow.unpin_live_update(oldest, by=publisher)
    take_offer(page, "New updates: 1. Show them")
    assert pinned.count() == 0
    assert section.locator("article.live-update").first.locator(".live-update-text").inner_text() == (
        "Troops entered the town."
    )
    page.close()


def test_the_updated_time_appears_when_the_first_update_a_minute_after_publication_is_shown(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    # Published 57 seconds ago and updated at once: too soon to show an "Updated" time.
    article, moment = live["english"], timezone.now() - timedelta(seconds=57)
    type(article).objects.filter(pk=article.pk).update(
        first_published_at=moment, last_published_at=moment, last_live_update_at=moment
    )
    LiveUpdate.objects.filter(article=article).update(posted_at=moment)
    page = story_page(browser, live_server, article)
    assert page.locator(".article-meta .updated").count() == 0
    page.wait_for_timeout(3_500)  # a minute after publication
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="Troops entered the town.")
    take_offer(page, "New updates: 1. Show them")
    newest = LiveUpdate.objects.filter(article=article).first()
    times = page.locator(".article-meta .times")
    assert times.locator(".updated time").get_attribute("datetime") == timezone.localtime(newest.posted_at).isoformat()
    # In its place: after the publication time, before the reading time.
    assert "Updated" in times.inner_text().split("Published")[1].split("minute")[0]
    page.close()


def test_the_arabic_edition_offers_them_in_arabic_with_arabic_digits(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    article = live["arabic"]
    page = story_page(browser, live_server, article)
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="دخلت القوات البلدة.")
    take_offer(page, "تحديثات جديدة: ١. اعرضها")
    assert page.locator("article.live-update").first.locator(".live-update-text").inner_text() == "دخلت القوات البلدة."
    page.close()


# What makes an open page stop asking: a withdrawn story answers 410, an ended coverage no longer follows.
STOPPING_MOVES = {
    "unpublished": lambda article, by: workflow.unpublish(article, by=by, note="Legal review."),
    "coverage ended": lambda article, by: workflow.end_live_coverage(article, by=by),
}


@pytest.mark.parametrize("move", list(STOPPING_MOVES))
def test_a_page_stops_asking_once_the_story_is_withdrawn_or_its_coverage_ended(
    live_server, live_server_held, browser, live, publisher, asking_every_second, move
):
    article = live["english"]
    page = browser.new_page()
    asked = story_requests(page, article)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.wait_for_timeout(2_500)
    assert len(asked) >= 2  # the page itself, then at least one poll
    with live_server_held():
        STOPPING_MOVES[move](article, publisher)
    page.wait_for_timeout(4_000)  # a request held during the move is answered, then the next one stops it
    stopped = len(asked)
    page.wait_for_timeout(3_000)
    # That answer was the last it asked for; the reader's page keeps what it showed, with no offer.
    assert len(asked) == stopped
    assert page.locator("article.live-update").count() == 2
    assert page.locator("button.live-new").is_hidden()
    page.close()


def test_a_story_started_live_offers_its_first_update_in_place_of_the_waiting_sentence(
    live_server, live_server_held, browser, stories, publisher, asking_every_second
):
    article = stories["english"]
    workflow.start_live_coverage(article, by=publisher)
    page = story_page(browser, live_server, article)
    waiting = page.locator("p.live-waiting")
    assert waiting.inner_text() == "Live coverage has started. Updates will appear here."
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="Polling stations opened at seven.")
    take_offer(page, "New updates: 1. Show them")
    assert waiting.count() == 0
    updates = page.locator("article.live-update")
    assert updates.count() == 1 and updates.first.locator(".live-update-text").inner_text() == (
        "Polling stations opened at seven."
    )
    assert serious_violations(page) == []
    page.close()


def test_a_story_whose_last_update_is_old_is_not_followed(
    live_server, live_server_held, browser, live, asking_every_second
):
    article = live["english"]
    with live_server_held():
        type(article).objects.filter(pk=article.pk).update(last_live_update_at=timezone.now() - timedelta(hours=25))
    page = browser.new_page()
    asked = story_requests(page, article)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.wait_for_timeout(3_000)
    assert len(asked) == 1
    assert page.locator("article.live-update").count() == 2
    assert page.locator("button.live-new").count() == 0
    page.close()


def test_a_hidden_tab_asks_nothing_and_asks_at_once_when_shown_again(live_server, browser, live, asking_every_second):
    article = live["english"]
    page = browser.new_page()
    asked = story_requests(page, article)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    show = "hidden => { Object.defineProperty(document, 'hidden', {value: hidden, configurable: true}); "
    show += "document.dispatchEvent(new Event('visibilitychange')); }"
    page.evaluate(show, True)
    page.wait_for_timeout(1_500)  # a request already under way may finish
    before = len(asked)
    page.wait_for_timeout(3_000)
    assert len(asked) == before
    page.evaluate(show, False)
    page.wait_for_timeout(700)  # under the second until the next scheduled request
    assert len(asked) == before + 1
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language, front, label", [("english", "/", "Live"), ("arabic", "/ar/", "مباشر")])
def test_the_front_page_labels_a_live_story_and_passes_axe(live_server, browser, live, scheme, language, front, label):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{live_server.url}{front}")
    item = page.locator("li.story", has=page.get_by_role("link", name=f"{label}: {live[language].headline}"))
    assert item.first.locator(".live-label").is_visible()
    assert serious_violations(page) == []
    context.close()
