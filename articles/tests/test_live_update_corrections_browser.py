"""In a real browser: a publisher corrects one live update and removes another from the desk panel, whose
forms pass axe, and readers' page changes accordingly; an open page following the story is never offered an
update removed before it asked."""

import pytest
from django.urls import reverse

from articles import workflow
from articles.models import LiveUpdate
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.publishing import story
from articles.tests.test_browser import serious_violations, stories  # noqa: F401 - a fixture
from articles.tests.test_live_updates_browser import asking_every_second, live, story_page, take_offer  # noqa: F401

pytestmark = BROWSER_TEST_MARKS

PANEL = "Live updates readers see (newest first)"


def serious_violations_in(page, selector):
    """axe's serious and critical findings inside the element at `selector`."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=selector)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_publisher_corrects_and_removes_live_updates_from_the_desk_panel(live_server, browser, publisher, scheme):
    article = story(headline="Battle for Baghouz")
    workflow.post_live_update(article, by=publisher, text="Twelve people were killed.", title="Casualties")
    workflow.post_live_update(article, by=publisher, text="The bridge is down.")
    wrong, unconfirmed = LiveUpdate.objects.order_by("pk")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", publisher.username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("input[type=submit]")
    change_url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])
    page.goto(change_url)

    panel = page.get_by_role("region", name=PANEL)
    assert panel.get_by_role("listitem").count() == 2
    item = panel.locator(f"#desk-update-{wrong.pk}")
    item.get_by_text("Correct this update").click()
    item.get_by_text("Remove this update").click()
    text = item.get_by_label("Live update (blank lines separate paragraphs)")
    assert text.input_value() == "Twelve people were killed."
    assert serious_violations_in(page, "#desk-live-updates") == []

    text.fill("Eleven people were killed.")
    item.get_by_label("What was wrong (for the audit trail, optional)").fill("The ministry revised the toll")
    item.get_by_role("button", name="Save the correction").click()
    page.wait_for_load_state()
    assert "Correct a live update: done." in page.locator(".messagelist").inner_text()

    other = page.get_by_role("region", name=PANEL).locator(f"#desk-update-{unconfirmed.pk}")
    other.get_by_text("Remove this update").click()
    other.get_by_label("Reason (for the audit trail; readers see nothing)").fill("Not confirmed")
    other.get_by_role("button", name="Remove it from the story").click()
    page.wait_for_load_state()
    assert page.get_by_role("region", name=PANEL).get_by_role("listitem").count() == 1

    page.goto(live_server.url + article.get_absolute_url())
    updates = page.locator("article.live-update")
    assert updates.count() == 1
    assert updates.locator(".live-update-text").inner_text() == "Eleven people were killed."
    assert updates.locator(".live-update-edited").inner_text().startswith("Edited ")
    assert "The bridge is down." not in page.content()
    context.close()


def test_an_open_page_is_offered_only_the_updates_not_removed(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    article = live["english"]
    page = story_page(browser, live_server, article)
    updates = page.locator("article.live-update")
    assert updates.count() == 2
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="Troops entered the town.")
        workflow.post_live_update(article, by=publisher, text="Twelve soldiers were killed.", title="Toll")
        wrong = LiveUpdate.objects.filter(article=article).first()
        workflow.remove_live_update(wrong, by=publisher, note="Not confirmed")
    offer = page.get_by_role("button", name="New updates: 1. Show them")
    offer.wait_for(timeout=10_000)
    page.wait_for_timeout(2_500)  # later polls offer nothing more
    assert offer.is_visible()
    offer.click()
    assert updates.count() == 3
    assert updates.first.locator(".live-update-text").inner_text() == "Troops entered the town."
    assert page.locator(f"#update-{wrong.pk}").count() == 0
    page.close()


def test_an_open_page_is_offered_corrections_and_removals_and_applies_them_when_asked(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    article = live["english"]
    page = story_page(browser, live_server, article)
    texts = page.locator("article.live-update .live-update-text")
    assert texts.all_inner_texts() == ["It holds.", "Fighting moved to the river bank.\n\nResidents fled north."]
    newer, older = LiveUpdate.objects.filter(article=article)
    with live_server_held():
        workflow.edit_live_update(newer, by=publisher, text="It holds, both sides say.", title="Ceasefire")
        # The oldest update: missing from the answer, it is gone (the page holds every update, none pushed out).
        workflow.remove_live_update(older, by=publisher, note="Not confirmed")
    offer = page.get_by_role("button", name="Some updates have changed. Show them")
    offer.wait_for(timeout=10_000)
    # Offered in the status region; nothing changed under the reader.
    assert page.get_by_role("status").inner_text() == "Some updates have changed. Show them"
    assert texts.all_inner_texts() == ["It holds.", "Fighting moved to the river bank.\n\nResidents fled north."]
    assert serious_violations(page) == []
    offer.click()
    assert texts.all_inner_texts() == ["It holds, both sides say."]
    corrected = page.locator(f"#update-{newer.pk}")
    assert corrected.locator(".live-update-edited").inner_text().startswith("Edited ")
    # The keyboard is on the corrected update, and the offer is gone.
    assert corrected.evaluate("update => update === document.activeElement")
    assert page.locator("button.live-new").is_hidden()
    page.close()


def test_new_updates_bring_the_corrections_along_in_arabic(
    live_server, live_server_held, browser, live, publisher, asking_every_second
):
    article = live["arabic"]
    page = story_page(browser, live_server, article)
    newer = LiveUpdate.objects.filter(article=article).first()
    with live_server_held():
        workflow.edit_live_update(newer, by=publisher, text="صامد حتى صباح اليوم.", title="وقف إطلاق النار")
        workflow.post_live_update(article, by=publisher, text="دخلت القوات البلدة.")
    # New updates are counted; the correction comes with them.
    take_offer(page, "تحديثات جديدة: ١. اعرضها")
    texts = page.locator("article.live-update .live-update-text").all_inner_texts()
    assert texts[:2] == ["دخلت القوات البلدة.", "صامد حتى صباح اليوم."]
    assert page.locator("article.live-update").first.evaluate("update => update === document.activeElement")
    page.close()


def test_an_update_pushed_out_of_the_newest_hundred_is_not_taken_for_removed(
    live_server, live_server_held, browser, publisher, asking_every_second
):
    from articles.models import LIVE_UPDATES_SHOWN

    article = story(headline="Battle for Baghouz")
    for n in range(LIVE_UPDATES_SHOWN):
        workflow.post_live_update(article, by=publisher, text=f"Update number {n}.")
    page = story_page(browser, live_server, article)
    updates = page.locator("article.live-update")
    assert updates.count() == LIVE_UPDATES_SHOWN
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="Troops entered the town.")
    take_offer(page, "New updates: 1. Show them")
    # The oldest is no longer in the site's page, but it was not removed: the reader keeps it.
    assert updates.count() == LIVE_UPDATES_SHOWN + 1
    assert updates.last.locator(".live-update-text").inner_text() == "Update number 0."
    page.close()
