"""Corrections in public: the page and the feeds that list every public note on the edition's stories."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import workflow
from articles.models import Correction
from articles.tests.publishing import S, fresh_cache, hidden_stories, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FEEDS = ["/feeds/corrections/rss/", "/feeds/corrections/atom/"]


def note(article, text, kind=Correction.Kind.CORRECTION, at=None):
    """A public note on `article` (set-up: the workflow's `correct` is tested on its own below)."""
    made = Correction.objects.create(article=article, kind=kind, text=text)
    if at:
        Correction.objects.filter(pk=made.pk).update(created_at=at)
        made.refresh_from_db()
    return made


def test_page_lists_notes_newest_first_with_kind_time_and_a_link_to_the_note(client):
    dam = story(headline="Mosul dam repairs resume")
    vote = story(headline="Kirkuk council vote delayed")
    older = note(dam, "An earlier version gave the wrong reservoir level.", at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    newer = note(vote, "The vote is now set for Sunday.", kind=Correction.Kind.UPDATE)
    html = client.get("/corrections/").content.decode()
    assert "<h1>Corrections and updates</h1>" in html
    assert html.index("The vote is now set for Sunday.") < html.index("An earlier version gave the wrong reservoir")
    entry = html[html.index(f'href="{dam.get_absolute_url()}#correction-{older.pk}"') :]
    assert entry.index("Mosul dam repairs resume") < entry.index("<strong>Correction</strong>")
    assert '<time datetime="2026-03-01T09:30:00+03:00">1 March 2026, 09:30</time>' in entry  # newsroom time
    assert f'href="{vote.get_absolute_url()}#correction-{newer.pk}"' in html
    assert "<strong>Update</strong>" in html
    # The link lands on the note in the story's own box.
    story_page = client.get(dam.get_absolute_url()).content.decode()
    assert f'<li id="correction-{older.pk}"><strong>Correction</strong>' in story_page
    assert 'href="/corrections/">All corrections and updates</a>' in story_page


def test_note_text_is_escaped_and_keeps_its_line_breaks(client):
    note(story(headline="Aid convoy reaches Raqqa"), "We misspelt <b>Raqqa</b>.\nThe convoy had 12 lorries, not 20.")
    html = client.get("/corrections/").content.decode()
    assert "We misspelt &lt;b&gt;Raqqa&lt;/b&gt;.<br>The convoy had 12 lorries, not 20." in html


def test_every_page_links_to_the_corrections_page_in_its_own_edition(client):
    assert 'href="/corrections/">Corrections</a>' in client.get("/").content.decode()
    arabic = client.get("/ar/").content.decode()
    assert 'href="/ar/corrections/">' in arabic


def test_a_page_without_notes_says_so(client):
    story(headline="A story nobody has corrected")
    response = client.get("/corrections/")
    assert response.status_code == 200
    assert "No corrections yet." in response.content.decode()


@pytest.mark.parametrize("address", ["/corrections/", *FEEDS])
def test_notes_on_stories_readers_cannot_see_never_show(client, address):
    due = story(S.SCHEDULED, headline="Due by schedule", scheduled_for=timezone.now() - timedelta(minutes=5))
    note(due, "Note on a story live by schedule.")
    for name, hidden in hidden_stories().items():
        note(hidden, f"Secret note on the {name} story.")
    body = client.get(address).content.decode()
    assert "Note on a story live by schedule." in body
    assert "Secret note" not in body
    for hidden in hidden_stories().values():
        assert hidden.headline not in body


def test_a_withdrawn_story_takes_its_notes_off_the_page(client, publisher, django_capture_on_commit_callbacks):
    article = story(headline="Claim about a ceasefire in Idlib")
    note(article, "The ceasefire claim came from one unnamed source.")
    assert "ceasefire claim" in client.get("/corrections/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article, by=publisher, note="Could not be verified.")
    assert "ceasefire claim" not in client.get("/corrections/").content.decode()


def test_each_edition_lists_its_own_stories_notes_in_its_language(client):
    english = story(headline="Water shortage in Basra")
    arabic = story(headline="شح المياه في البصرة", slug="شح-المياه", language="ar")
    note(english, "The English note.")
    note(arabic, "الملاحظة العربية.", kind=Correction.Kind.CLARIFICATION)
    en = client.get("/corrections/").content.decode()
    ar = client.get("/ar/corrections/").content.decode()
    assert "The English note." in en and "الملاحظة العربية." not in en
    assert "الملاحظة العربية." in ar and "The English note." not in ar
    assert '<html lang="ar" dir="rtl">' in ar
    assert "Corrections and updates" not in ar  # the interface is translated
    assert "<strong>Clarification</strong>" not in ar


def test_a_correction_shows_at_once_on_the_cached_page_and_feed(client, publisher, django_capture_on_commit_callbacks):
    article = story(headline="Erbil airport reopens")
    assert "Erbil airport reopens" not in client.get("/corrections/").content.decode()  # now cached
    client.get(FEEDS[0])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.correct(article, by=publisher, note="The airport reopened on Monday, not Tuesday.")
    assert "The airport reopened on Monday" in client.get("/corrections/").content.decode()
    assert "The airport reopened on Monday" in client.get(FEEDS[0]).content.decode()


def test_pages_of_twenty_and_any_page_number_answers_a_page(client):
    article = story(headline="Long-running story")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(25):
        note(article, f"Note number {n:02d}.", at=start + timedelta(hours=n))
    first = client.get("/corrections/").content.decode()
    assert "Note number 24." in first and "Note number 05." in first and "Note number 04." not in first
    second = client.get("/corrections/?page=2").content.decode()
    assert "Note number 04." in second and "Note number 05." not in second
    assert 'rel="prev" href="?page=1">Newer notes</a>' in second
    assert 'rel="next" href="?page=2">Older notes</a>' in first
    for junk, shows in [
        ("abc", "Note number 24."),
        ("99999999999999999999999", "Note number 00."),
        ("-3", "Note number 00."),
    ]:
        response = client.get(f"/corrections/?page={junk}")
        assert response.status_code == 200, junk
        assert shows in response.content.decode(), junk


@pytest.mark.parametrize("address, expected", [("/corrections/", 2), (FEEDS[0], 1), (FEEDS[1], 1)])
def test_page_and_feeds_run_a_fixed_number_of_queries(client, settings, address, expected):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0

    def count():
        client.get(address)  # the site-wide fragments (menu) are cached once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    note(story(headline="First corrected story"), "One note.")
    few = count()
    for n in range(15):
        note(story(headline=f"Corrected story {n}", language="en"), f"Another note {n}.")
    assert count() == few == expected


@pytest.mark.parametrize("address", FEEDS)
def test_feeds_parse_cleanly_with_one_item_per_note(client, address):
    article = story(headline="Fuel prices rise in Damascus")
    made = note(article, "The rise is 15 per cent, not 50.", at=datetime(2026, 4, 2, 8, 0, tzinfo=UTC))
    parsed = feedparser.parse(client.get(address).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Newsroom: corrections and updates"
    (item,) = parsed.entries
    assert item.title == "Correction: Fuel prices rise in Damascus"
    assert item.link == f"http://testserver{article.get_absolute_url()}#correction-{made.pk}"
    assert item.id == f"urn:newsroom:correction:{made.pk}"
    assert "The rise is 15 per cent, not 50." in item.summary
    assert item.published_parsed[:5] == (2026, 4, 2, 8, 0)
    assert [tag.term for tag in item.tags] == ["Correction"]
