"""Pinning a live update (`workflow.pin_live_update`, `unpin_live_update`): the story page shows the pinned update
above the others, in its place among them too; one pin at a time; a removal unpins; the pin costs no query
unless it is older than the page's updates; every refusal writes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.http import http_date
from lxml import html as lxml_html

from articles import workflow
from articles.models import LIVE_UPDATES_SHOWN, Article, ArticleEvent, LiveUpdate
from articles.tests.publishing import S, fresh_cache, page_queries, post_update, story, with_updates  # noqa: F401
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: the memory cache, then Redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

POSTED = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)


def blog(publisher, language="en"):
    """A live story with three updates a minute apart: (story, [oldest, middle, newest])."""
    if language == "ar":
        article = story(headline="معركة الباغوز", slug="معركة", language="ar")
    else:
        article = story(headline="Battle for Baghouz")
    updates = [
        post_update(
            article, publisher, f"Update number {n}.", f"Event {n}" if n == 1 else "", POSTED + timedelta(minutes=n)
        )
        for n in range(3)
    ]
    article.refresh_from_db()
    return article, updates


def pinned_box(client, article):
    """(the pinned box's label, its update's text, where its time links) on the story page, or None; and the ids
    of the updates in the stream, in order."""
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content.decode())
    stream = [a.get("id") for a in page.xpath('//section[@class="live-updates"]/article')]
    boxes = page.xpath('//section[@class="live-updates"]/div[@class="live-pinned"]')
    if not boxes:
        return None, stream
    (box,) = boxes
    (update,) = box.xpath("./article")
    assert update.get("id") is None  # the stream holds the anchor
    return (
        box.xpath('./p[@class="live-pinned-label"]')[0].text_content(),
        update.xpath('.//div[@class="live-update-text"]')[0].text_content(),
        update.xpath('.//a[@class="live-update-link"]/@href')[0],
    ), stream


def written(article):
    """Everything a refused move could have written: the story's row, its events and its updates."""
    return (
        Article.objects.filter(pk=article.pk).values("pinned_live_update", "last_published_at", "updated_at").get(),
        list(ArticleEvent.objects.filter(article=article).values_list("pk", flat=True)),
        list(LiveUpdate.objects.filter(article=article).order_by("pk").values()),
    )


# -- what readers see --------------------------------------------------------------------------------------------


def test_the_pinned_update_shows_above_the_others_and_keeps_its_place_among_them(client, publisher, page_cache_off):
    article, (oldest, middle, newest) = blog(publisher)
    assert pinned_box(client, article) == (None, [f"update-{u.pk}" for u in (newest, middle, oldest)])
    workflow.pin_live_update(oldest, by=publisher)
    box, stream = pinned_box(client, article)
    assert box == ("Pinned", "Update number 0.", f"#update-{oldest.pk}")
    assert stream == [f"update-{u.pk}" for u in (newest, middle, oldest)]
    # Above the key events and the updates, after the section's heading; no id is used twice.
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index('class="live-pinned"') < html.index('class="key-events"') < html.index(f'id="update-{newest.pk}"')
    assert html.count(f'id="update-{oldest.pk}"') == 1


def test_an_arabic_story_labels_its_pin_in_arabic(client, publisher, page_cache_off):
    article, (_oldest, middle, _newest) = blog(publisher, "ar")
    workflow.pin_live_update(middle, by=publisher)
    assert pinned_box(client, article)[0][0] == "مثبّت"


def test_one_pin_at_a_time_each_move_recorded_and_the_page_dated_by_it(client, publisher, page_cache_off):
    article, (oldest, middle, newest) = blog(publisher)
    newest_time = Article.objects.get(pk=article.pk).last_live_update_at
    workflow.pin_live_update(oldest, by=publisher, note="The summary")
    workflow.pin_live_update(middle, by=publisher)
    assert pinned_box(client, article)[0][1] == "Update number 1."
    stored = Article.objects.get(pk=article.pk)
    assert stored.pinned_live_update_id == middle.pk
    # The page changed: its "Updated" time and Last-Modified move, but not the time of its newest update.
    assert stored.last_live_update_at == newest_time
    response = client.get(article.get_absolute_url())
    assert response["Last-Modified"] == http_date(stored.last_published_at.timestamp())
    workflow.unpin_live_update(middle, by=publisher)
    assert pinned_box(client, article)[0] is None
    events = list(ArticleEvent.objects.filter(article=article).values_list("action", "note")[:3])
    assert events == [
        ("unpin_live_update", f"Live update {middle.pk} unpinned: Event 1"),
        ("pin_live_update", f"Live update {middle.pk} pinned: Event 1"),
        ("pin_live_update", f"The summary\nLive update {oldest.pk} pinned: Update number 0."),
    ]


def test_removing_the_pinned_update_unpins_it_and_a_correction_shows_in_the_pin(client, publisher, page_cache_off):
    article, (oldest, middle, _newest) = blog(publisher)
    workflow.pin_live_update(middle, by=publisher)
    workflow.edit_live_update(middle, by=publisher, text="Update number 1, corrected.", title="Event 1")
    assert pinned_box(client, article)[0][1] == "Update number 1, corrected."
    workflow.remove_live_update(middle, by=publisher, note="Not confirmed")
    assert Article.objects.get(pk=article.pk).pinned_live_update_id is None
    assert pinned_box(client, article)[0] is None
    # Removing another update leaves the pin alone.
    workflow.pin_live_update(oldest, by=publisher)
    workflow.remove_live_update(_newest, by=publisher, note="Wrong story")
    assert Article.objects.get(pk=article.pk).pinned_live_update_id == oldest.pk


def test_a_cached_story_page_shows_a_pin_and_an_unpin_at_once(
    client, any_cache, publisher, django_capture_on_commit_callbacks
):
    article, (oldest, _middle, _newest) = blog(publisher)
    assert pinned_box(client, article)[0] is None  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        workflow.pin_live_update(oldest, by=publisher)
    assert pinned_box(client, article)[0][1] == "Update number 0."
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpin_live_update(oldest, by=publisher)
    assert pinned_box(client, article)[0] is None


# -- the page's queries ------------------------------------------------------------------------------------------


def test_a_pin_among_the_pages_updates_costs_no_query_and_an_older_one_costs_one(client, publisher, page_cache_off):
    article = with_updates(story(), LIVE_UPDATES_SHOWN + 30)
    updates = list(LiveUpdate.objects.filter(article=article))  # newest first
    unpinned = page_queries(client, article.get_absolute_url())
    workflow.pin_live_update(updates[5], by=publisher)
    assert page_queries(client, article.get_absolute_url()) == unpinned
    assert pinned_box(client, article)[0] == ("Pinned", "Update 124", f"#update-{updates[5].pk}")
    # Older than the page's updates: one query finds it, with the page of older updates that shows it.
    oldest = updates[-1]
    workflow.pin_live_update(oldest, by=publisher)
    assert page_queries(client, article.get_absolute_url()) == unpinned + 1
    assert pinned_box(client, article)[0] == ("Pinned", "Update 0", f"{article.live_updates_url(2)}#update-{oldest.pk}")


# -- refusals ----------------------------------------------------------------------------------------------------


def test_pinning_a_removed_or_pinned_update_and_unpinning_one_not_pinned_are_refused(publisher):
    article, (oldest, middle, newest) = blog(publisher)
    workflow.remove_live_update(newest, by=publisher, note="Wrong story")
    workflow.pin_live_update(middle, by=publisher)
    before = written(article)
    with pytest.raises(workflow.WorkflowError, match="removed, or is not one of this story"):
        workflow.pin_live_update(newest, by=publisher)
    with pytest.raises(workflow.WorkflowError, match="already pinned"):
        workflow.pin_live_update(middle, by=publisher)
    with pytest.raises(workflow.WorkflowError, match="is not pinned"):
        workflow.unpin_live_update(oldest, by=publisher)
    assert written(article) == before


def test_reporters_and_editors_cannot_pin_or_unpin_and_nothing_is_written(publisher, reporter, editor):
    article, (oldest, middle, _newest) = blog(publisher)
    workflow.pin_live_update(middle, by=publisher)
    before = written(article)
    for colleague in (reporter, editor):
        with pytest.raises(workflow.PermissionRefused):
            workflow.pin_live_update(oldest, by=colleague)
        with pytest.raises(workflow.PermissionRefused):
            workflow.unpin_live_update(middle, by=colleague)
    assert written(article) == before


@pytest.mark.parametrize("status", [S.UNPUBLISHED, S.DRAFT, S.SPIKED])
def test_only_a_published_storys_updates_can_be_pinned(publisher, status):
    article, (oldest, _middle, _newest) = blog(publisher)
    Article.objects.filter(pk=article.pk).update(status=status)  # set-up only: the story left publication
    before = written(article)
    with pytest.raises(workflow.MoveNotAllowed):
        workflow.pin_live_update(oldest, by=publisher)
    assert written(article) == before


# -- the desk ----------------------------------------------------------------------------------------------------


def move_url(article, update, name):
    return reverse("admin:articles_article_live_update", args=[article.pk, update.pk, name])


def desk_pins(client, article):
    """{update id: (whether it is marked pinned, the address of its pin or unpin form)} on the desk's list."""
    page = lxml_html.fromstring(client.get(reverse("admin:articles_article_change", args=[article.pk])).content)
    found = {}
    for item in page.xpath('//li[@class="desk-live-update"]'):
        (form,) = item.xpath('.//form[contains(@class, "desk-pin")]')
        found[int(item.get("id").removeprefix("desk-update-"))] = (
            bool(item.xpath(".//*[@class='desk-pinned']")),
            form.get("action"),
        )
    return found


def test_a_publisher_pins_and_unpins_through_the_desk(client, publisher):
    article, (oldest, middle, newest) = blog(publisher)
    client.force_login(publisher)
    assert desk_pins(client, article) == {
        u.pk: (False, move_url(article, u, "pin_live_update")) for u in (oldest, middle, newest)
    }
    done = client.post(move_url(article, middle, "pin_live_update"), {"live_updates": "1"})
    assert done.status_code == 302 and done.url.endswith("#desk-live-updates")
    assert "Pin a live update: done." in client.get(done.url).content.decode()
    assert desk_pins(client, article)[middle.pk] == (True, move_url(article, middle, "unpin_live_update"))
    # A stale form (pinning the pinned one again) is refused with the reason, nothing written.
    before = written(article)
    page = client.post(move_url(article, middle, "pin_live_update"), {}, follow=True).content.decode()
    assert "This live update is already pinned." in page and written(article) == before
    client.post(move_url(article, middle, "unpin_live_update"), {})
    assert Article.objects.get(pk=article.pk).pinned_live_update_id is None


def test_a_reporter_or_editor_is_offered_no_pin_and_a_forged_one_changes_nothing(client, publisher, reporter, editor):
    article, (oldest, _middle, _newest) = blog(publisher)
    other, (elsewhere, *_rest) = blog(publisher)
    before = written(article), written(other)
    for colleague in (reporter, editor):
        client.force_login(colleague)
        page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
        assert "Pin it above the others" not in page
        response = client.post(move_url(article, oldest, "pin_live_update"), {}, follow=True)
        assert "You do not have permission for" in response.content.decode()
    # Nor can a publisher pin another story's update through this story's address.
    client.force_login(publisher)
    assert client.post(move_url(article, elsewhere, "pin_live_update"), {}).status_code == 404
    assert (written(article), written(other)) == before
