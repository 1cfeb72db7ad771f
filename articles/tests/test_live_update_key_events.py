"""A live blog's key events: its titled updates, newest first, listed above the updates with links to where each
is shown, on the story page or a page of older updates, at a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from articles import workflow
from articles.models import LiveUpdate
from articles.models.article import KEY_EVENTS_SHOWN, LIVE_UPDATES_SHOWN
from articles.tests.publishing import fresh_cache, page_queries, post_update, story, with_updates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def key_events(client, address):
    """(link, time text, title) of each key event on the page at `address`, in order; None without the list."""
    response = client.get(address)
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    lists = page.xpath('//section[@class="live-updates"]/nav[@class="key-events"]')
    if not lists:
        return None
    [events] = lists
    assert events.get("aria-labelledby") == "key-events-title"
    return [
        (link.get("href"), link.xpath("time")[0].text_content(), link.xpath('span[@class="key-event-title"]')[0].text)
        for link in events.xpath(".//ol/li/a")
    ]


@pytest.fixture
def blog(publisher):
    return story(headline="Battle for Deir ez-Zor: live")


def test_the_titled_updates_are_listed_newest_first_and_lead_to_each(client, blog, publisher):
    old = post_update(blog, publisher, "The offensive began at dawn.", title="Offensive begins")
    post_update(blog, publisher, "Shelling continued.")
    new = post_update(blog, publisher, "Families crossed the river.", title="Families <cross>")
    events = key_events(client, blog.get_absolute_url())
    assert [(href, title) for href, _, title in events] == [
        (f"#update-{new.pk}", "Families <cross>"),  # escaped in the page, read back as typed
        (f"#update-{old.pk}", "Offensive begins"),
    ]
    assert events[0][1] == timezone.localtime(new.posted_at).strftime("%-d %B, %H:%M")
    page = client.get(blog.get_absolute_url()).content.decode()
    assert "Families &lt;cross&gt;" in page and f'id="update-{new.pk}"' in page


def test_a_story_whose_updates_have_no_title_has_no_list(client, blog, publisher):
    post_update(blog, publisher, "Shelling continued.")
    assert key_events(client, blog.get_absolute_url()) is None
    assert key_events(client, story(headline="No updates").get_absolute_url()) is None


def test_a_removed_event_leaves_the_list_and_a_corrected_title_shows_in_it(
    client, blog, publisher, django_capture_on_commit_callbacks
):
    first = post_update(blog, publisher, "The offensive began at dawn.", title="Offensive begins")
    second = post_update(blog, publisher, "Families crossed the river.", title="Families cross")
    with django_capture_on_commit_callbacks(execute=True):  # each move purges the cached page
        workflow.remove_live_update(second, by=publisher, note="Not confirmed")
        workflow.edit_live_update(first, by=publisher, text="The offensive began at dawn.", title="Offensive starts")
    assert [title for *_, title in key_events(client, blog.get_absolute_url())] == ["Offensive starts"]


def test_the_list_holds_the_newest_key_events_only(client, blog, publisher):
    for n in range(KEY_EVENTS_SHOWN + 2):
        post_update(blog, publisher, f"Text {n}.", title=f"Event {n}")
    titles = [title for *_, title in key_events(client, blog.get_absolute_url())]
    assert titles == [f"Event {n}" for n in range(KEY_EVENTS_SHOWN + 1, 1, -1)]


def test_an_event_past_the_story_page_s_updates_leads_to_the_older_page_that_shows_it(client, blog, publisher):
    old = post_update(blog, publisher, "The offensive began at dawn.", title="Offensive begins",
                      at=timezone.now() - timedelta(hours=5))  # fmt: skip
    with_updates(blog, LIVE_UPDATES_SHOWN + 30, start=timezone.now() - timedelta(hours=4))
    new = post_update(blog, publisher, "Families crossed the river.", title="Families cross")
    events = key_events(client, blog.get_absolute_url())
    # 131 updates are newer than the old one: it is on the second page of older updates.
    assert [(href, title) for href, _, title in events] == [
        (f"#update-{new.pk}", "Families cross"),
        (f"{blog.live_updates_url(2)}#update-{old.pk}", "Offensive begins"),
    ]
    assert f'id="update-{old.pk}"' in client.get(blog.live_updates_url(2)).content.decode()
    assert LiveUpdate.objects.get(pk=old.pk).posted_at < LiveUpdate.objects.filter(article=blog)[99].posted_at


def test_the_arabic_edition_names_the_list_and_its_times_in_arabic(client, publisher):
    article = story(headline="معركة دير الزور: تغطية مباشرة", language="ar")
    post_update(article, publisher, "بدأ الهجوم فجراً.", title="بدء الهجوم")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<h3 id="key-events-title">أبرز الأحداث</h3>' in page
    [(href, time, title)] = key_events(client, article.get_absolute_url())
    assert title == "بدء الهجوم" and not any(digit in time for digit in "0123456789")


def test_the_list_costs_a_query_only_for_a_blog_with_older_updates_and_few_events_on_its_page(
    client, blog, publisher, page_cache_off
):
    post_update(blog, publisher, "The offensive began at dawn.", title="Offensive begins")
    with_updates(blog, 30)
    # The story and its updates (it has no places or actors, so no related stories' query): the events are
    # among the updates the page reads anyway.
    assert page_queries(client, blog.get_absolute_url()) == 2
    with_updates(blog, LIVE_UPDATES_SHOWN + 20)
    address = blog.get_absolute_url()
    assert page_queries(client, address) == 3  # the key event is on an older page: one query finds it
    with_updates(blog, 300)
    assert page_queries(client, address) == 3  # whatever the number of updates
    for n in range(KEY_EVENTS_SHOWN):
        post_update(blog, publisher, f"Text {n}.", title=f"Event {n}")
    assert page_queries(client, address) == 2  # the page shows a full list itself
