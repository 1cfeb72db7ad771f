"""The feeds of a story's live updates (RSS 2.0 and Atom, at `<story>/live/rss/` and `/live/atom/`): what
feedparser reads of them, who may see them, what they cost, how the page cache keeps them true, and the story
page announcing them."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from lxml import html as lxml_html

from articles import workflow
from articles.models import Article, LiveUpdate
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, page_queries, post_update, story  # noqa: F401
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: the memory cache, then Redis
from articles.tests.test_feeds import parse
from articles.tests.test_live_updates import HOSTILE_TEXT, HOSTILE_TITLE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FORMS = ["rss", "atom"]
POSTED = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)


def posted(article, publisher, text="Shelling resumed at dawn.", title="", at=None):
    return post_update(article, publisher, text, title, at)


def feed_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(queries)


@pytest.fixture
def live_story(publisher):
    """A published story with two updates an hour apart, the newer with a key-event title."""
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil")
    article = story(
        headline="Battle for Baghouz", section=SectionFactory(name="Syria News", slug="syria-news"), authors=[author]
    )
    older = posted(article, publisher, text="Fighting at the river.", at=POSTED)
    newer = posted(
        article, publisher, text="Ceasefire holds.\n\nFor now.", title="Ceasefire", at=POSTED + timedelta(hours=1)
    )
    article.refresh_from_db()
    return article, older, newer


# -- what a feed reader sees -------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_the_feeds_list_the_updates_newest_first_each_at_its_anchor(client, live_story, form):
    article, older, newer = live_story
    address = f"/article/{article.pk}/{article.slug}/live/{form}/"
    assert article.live_updates_feed_url(form) == address
    parsed = parse(client, address)
    assert parsed.version == ("rss20" if form == "rss" else "atom10")
    story_link = f"http://testserver{article.get_absolute_url()}"
    assert (parsed.feed.title, parsed.feed.link, parsed.feed.language) == ("Battle for Baghouz", story_link, "en")
    assert parsed.feed.subtitle == "Live updates on this story from Newsroom."
    assert [tag.term for tag in parsed.feed.tags] == ["Syria News"]  # the story's, as the site's feeds name them
    entries = [(e.title, e.link, e.id, e.summary) for e in parsed.entries]
    assert entries == [
        ("Ceasefire", f"{story_link}#update-{newer.pk}", f"urn:newsroom:live-update:{newer.pk}",
         "<p>Ceasefire holds.</p><p>For now.</p>"),
        ("Fighting at the river.", f"{story_link}#update-{older.pk}", f"urn:newsroom:live-update:{older.pk}",
         "<p>Fighting at the river.</p>"),
    ]  # fmt: skip
    assert [e.published_parsed[:5] for e in parsed.entries] == [(2026, 3, 1, 7, 30), (2026, 3, 1, 6, 30)]
    if form == "rss":
        assert all(e.guidislink is False for e in parsed.entries)
    else:
        assert parsed.feed.id == f"urn:newsroom:article:{article.pk}:live-updates"
        assert parsed.feed.author == "Rania Khalil"  # the story's byline
        assert [e.updated_parsed[:5] for e in parsed.entries] == [(2026, 3, 1, 7, 30), (2026, 3, 1, 6, 30)]


@pytest.mark.parametrize("form", FORMS)
def test_the_feeds_date_is_the_storys_last_change_and_so_is_last_modified(
    client, live_story, publisher, page_cache_off, form
):
    article, older, _ = live_story
    address = article.live_updates_feed_url(form)
    response = client.get(address)
    parsed = feedparser.parse(response.content)
    # Posting moved the story's last publication time: the feed's date and validator follow it.
    assert response["Last-Modified"] == http_date(article.last_published_at.timestamp())
    assert parsed.feed.updated_parsed[:6] == article.last_published_at.utctimetuple()[:6]
    # A removal leaves no item dated later, yet the feed changed: its date moves all the same.
    Article.objects.filter(pk=article.pk).update(last_published_at=POSTED + timedelta(hours=2))  # set-up: older
    before = client.get(address)
    workflow.remove_live_update(older, by=publisher, note="Not confirmed")
    after = client.get(address)
    assert after["Last-Modified"] != before["Last-Modified"]
    assert client.get(address, headers={"If-Modified-Since": before["Last-Modified"]}).status_code == 200


@pytest.mark.parametrize("form", FORMS)
def test_a_corrected_update_keeps_its_guid_and_shows_its_new_words_and_a_removed_one_is_gone(
    client, live_story, publisher, page_cache_off, form
):
    article, older, newer = live_story
    address = article.live_updates_feed_url(form)
    workflow.edit_live_update(older, by=publisher, text="Fighting at the bridge.", note="Wrong place")
    edited_at = LiveUpdate.objects.get(pk=older.pk).edited_at
    entries = {e.id: e for e in parse(client, address).entries}
    corrected = entries[f"urn:newsroom:live-update:{older.pk}"]
    assert (corrected.title, corrected.summary) == ("Fighting at the bridge.", "<p>Fighting at the bridge.</p>")
    assert corrected.published_parsed[:5] == (2026, 3, 1, 6, 30)  # its place and time are kept
    if form == "atom":
        assert corrected.updated_parsed[:6] == edited_at.utctimetuple()[:6]
    workflow.remove_live_update(newer, by=publisher, note="Not confirmed")
    xml = client.get(address).content.decode()
    assert "Ceasefire" not in xml and f"update-{newer.pk}" not in xml
    assert [e.id for e in feedparser.parse(xml).entries] == [f"urn:newsroom:live-update:{older.pk}"]


@pytest.mark.parametrize("form", FORMS)
def test_hostile_words_are_escaped_text_in_the_feed_never_markup(client, publisher, form):
    article = story()
    posted(article, publisher, text=HOSTILE_TEXT, title=HOSTILE_TITLE)
    xml = client.get(article.live_updates_feed_url(form)).content.decode()
    assert "<script" not in xml and "<img" not in xml
    (entry,) = parse(client, article.live_updates_feed_url(form)).entries
    assert entry.title == HOSTILE_TITLE  # plain text, as typed
    # The description is HTML in which what was typed is text: nothing in it is a tag but the paragraphs.
    body = lxml_html.fragment_fromstring(entry.summary, create_parent="div")
    assert [element.tag for element in body.iter()] == ["div", "p", "p"]
    assert body.text_content() == "Residents fled.<img src=x onerror=alert('text')><script>alert('text')</script>"


def test_the_feed_carries_the_newest_hundred_updates(client, publisher):
    article = story()
    posted(article, publisher, text="Update 0")
    now = timezone.now()
    LiveUpdate.objects.bulk_create(
        LiveUpdate(article=article, posted_at=now + timedelta(minutes=n), text=f"<p>Update {n}</p>")
        for n in range(1, 105)
    )
    entries = parse(client, article.live_updates_feed_url("atom")).entries
    assert len(entries) == 100
    assert [entries[0].title, entries[-1].title] == ["Update 104", "Update 5"]


@pytest.mark.parametrize("form", FORMS)
def test_an_arabic_storys_feed_is_in_the_arabic_edition_and_in_arabic(client, places, publisher, form):
    section = SectionFactory(name="Syria News", slug="syria-news", name_ar="أخبار سوريا")
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar", section=section, regions=[places["baghouz"]])
    update = posted(arabic, publisher, text="استؤنف القصف فجرا.")
    address = arabic.live_updates_feed_url(form)
    assert address.startswith(f"/ar/article/{arabic.pk}/")
    parsed = parse(client, address)
    assert (parsed.feed.title, parsed.feed.language) == ("معركة الباغوز", "ar")
    assert parsed.feed.subtitle == "التحديثات المباشرة لهذا الخبر من Newsroom."
    assert [tag.term for tag in parsed.feed.tags] == ["أخبار سوريا", "الباغوز"]
    (entry,) = parsed.entries
    assert entry.title == "استؤنف القصف فجرا."
    assert entry.link == f"http://testserver{arabic.get_absolute_url()}#update-{update.pk}"
    # Asked for in the English edition, it answers with the Arabic one.
    english = client.get(f"/article/{arabic.pk}/{arabic.slug}/live/{form}/")
    assert (english.status_code, english["Location"]) == (301, address)


# -- who may see them --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_a_hidden_storys_update_feeds_answer_as_its_page_does(client, form):
    for name, article in hidden_stories().items():
        # Set-up only: rows as if updates had been posted while the story was public.
        LiveUpdate.objects.create(article=article, posted_at=timezone.now(), text=f"<p>Secret update: {name}</p>")
        Article.objects.filter(pk=article.pk).update(last_live_update_at=timezone.now())
        response = client.get(article.live_updates_feed_url(form))
        assert response.status_code == client.get(article.get_absolute_url()).status_code, name
        assert response.status_code == (410 if name == "unpublished" else 404), name
        assert b"Secret update" not in response.content


@pytest.mark.parametrize("form", FORMS)
def test_an_old_slug_is_sent_to_the_feed_at_the_storys_address(client, live_story, form):
    article = live_story[0]
    old = article.slug
    Article.objects.filter(pk=article.pk).update(slug="battle-for-baghouz-ends")  # set-up: the desk renamed it
    response = client.get(f"/article/{article.pk}/{old}/live/{form}/")
    assert (response.status_code, response["Location"]) == (
        301,
        f"/article/{article.pk}/battle-for-baghouz-ends/live/{form}/",
    )
    assert client.get(f"/article/{article.pk}/anything/live/{form}/").status_code == 301
    assert client.get(f"/article/{article.pk + 1000}/{old}/live/{form}/").status_code == 404


@pytest.mark.parametrize("form", FORMS)
def test_a_public_story_without_updates_has_an_empty_feed(client, publisher, page_cache_off, form):
    # Empty, not missing: a reader who subscribed keeps the subscription when the only update is taken down.
    article = story(headline="Quiet day in Baghouz")
    assert parse(client, article.live_updates_feed_url(form)).entries == []
    update = posted(article, publisher)
    assert len(parse(client, article.live_updates_feed_url(form)).entries) == 1
    workflow.remove_live_update(update, by=publisher, note="Wrong story")
    parsed = parse(client, article.live_updates_feed_url(form))
    assert parsed.entries == [] and parsed.feed.title == "Quiet day in Baghouz"


# -- queries and the page cache ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_a_feed_runs_two_queries_whatever_the_number_of_updates(
    client, places, actors, publisher, page_cache_off, form
):
    # The story with its section, places, actors and authors in one row (its page's own look-up), then its updates.
    plain, live, busy = (
        story(regions=[places["baghouz"]], actors=[actors["isis"]], authors=[AuthorFactory()]) for _ in range(3)
    )
    posted(live, publisher)
    for n in range(30):
        posted(busy, publisher, text=f"Update {n}", title=f"Key event {n}" if n % 2 else "")
    assert feed_queries(client, plain.live_updates_feed_url(form)) == 1
    assert feed_queries(client, live.live_updates_feed_url(form)) == 2
    assert feed_queries(client, busy.live_updates_feed_url(form)) == 2


@pytest.mark.parametrize("form", FORMS)
def test_a_cached_feed_changes_at_once_when_an_update_is_posted_corrected_or_removed(
    client, any_cache, publisher, django_capture_on_commit_callbacks, form
):
    article = story()
    address = article.live_updates_feed_url(form)

    def titles():
        return [entry.title for entry in parse(client, address).entries]

    def move(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, by=publisher, **kwargs)

    assert titles() == []
    assert feed_queries(client, address) == 0  # answered from the cache
    move(workflow.post_live_update, article, text="Shelling resumed at dawn.")
    assert titles() == ["Shelling resumed at dawn."]
    update = LiveUpdate.objects.get()
    move(workflow.post_live_update, article, text="The bridge is down.")
    assert titles() == ["The bridge is down.", "Shelling resumed at dawn."]
    move(workflow.edit_live_update, update, text="Shelling resumed at 5am.")
    assert titles() == ["The bridge is down.", "Shelling resumed at 5am."]
    move(workflow.remove_live_update, update, note="Not confirmed")
    assert titles() == ["The bridge is down."]
    assert feed_queries(client, address) == 0
    move(workflow.unpublish, article, note="Legal request")
    assert client.get(address).status_code == 410


def test_a_cached_feed_stays_cached_when_another_story_moves(
    client, any_cache, publisher, django_capture_on_commit_callbacks
):
    article, other = story(), story(S.APPROVED)
    posted(article, publisher)
    address = article.live_updates_feed_url("atom")
    client.get(address)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(other, by=publisher)
    assert feed_queries(client, address) == 0


# -- the story page announces them -------------------------------------------------------------------------------


def feed_links(client, address):
    """(type, title, href) of each feed the page at `address` announces besides the edition's latest stories."""
    page = lxml_html.fromstring(client.get(address).content)
    links = page.xpath('//head/link[@rel="alternate"][@type]')
    return [(link.get("type"), link.get("title"), link.get("href")) for link in links if "/live/" in link.get("href")]


def test_the_story_page_announces_its_update_feeds_only_while_it_has_updates(client, publisher, page_cache_off):
    article = story(headline="Battle for Baghouz")
    assert feed_links(client, article.get_absolute_url()) == []
    update = posted(article, publisher)
    assert feed_links(client, article.get_absolute_url()) == [
        ("application/rss+xml", "Live updates: Battle for Baghouz (RSS)", article.live_updates_feed_url("rss")),
        ("application/atom+xml", "Live updates: Battle for Baghouz (Atom)", article.live_updates_feed_url("atom")),
    ]
    workflow.remove_live_update(update, by=publisher, note="Wrong story")
    assert feed_links(client, article.get_absolute_url()) == []


def test_an_arabic_story_page_names_its_update_feeds_in_arabic(client, publisher, page_cache_off):
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar")
    posted(arabic, publisher, text="استؤنف القصف فجرا.")
    assert [(title, href) for _, title, href in feed_links(client, arabic.get_absolute_url())] == [
        ("تحديثات مباشرة: معركة الباغوز (RSS)", arabic.live_updates_feed_url("rss")),
        ("تحديثات مباشرة: معركة الباغوز (Atom)", arabic.live_updates_feed_url("atom")),
    ]


def test_announcing_the_feeds_costs_the_story_page_no_query(client, places, publisher, page_cache_off):
    # The pins of test_live_updates: two queries without updates, three with, the feeds' links included.
    plain, live = story(regions=[places["baghouz"]]), story(regions=[places["baghouz"]])
    posted(live, publisher)
    assert page_queries(client, plain.get_absolute_url()) == 2
    assert page_queries(client, live.get_absolute_url()) == 3
    assert len(feed_links(client, live.get_absolute_url())) == 2


def test_the_desks_preview_announces_no_feed(client, publisher):
    article = story()
    posted(article, publisher)
    client.force_login(publisher)
    assert feed_links(client, reverse("desk:preview", args=[article.pk])) == []
