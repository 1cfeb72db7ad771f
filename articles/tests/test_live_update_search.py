"""Live updates in search: a story is found by the words of the live updates readers see on it, on both
databases, whatever later rewrites its search document, and not by an update's replaced or removed words."""

import importlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from lxml import html as lxml_html

from articles import workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, LiveUpdate
from articles.models.article import LIVE_UPDATES_SHOWN
from articles.search import NEWEST, SearchQuery, search
from articles.tests.publishing import fresh_cache, page_queries, post_update, story, with_updates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

HAJIN = "Coalition jets struck Hajin overnight, the monitor said."


def headlines(text):
    return [a.headline for a in search(SearchQuery(text=text)).articles]


@pytest.fixture
def blog(publisher):
    """A published live story whose own text never says "Hajin", with one update that does."""
    article = story(headline="Battle for Deir ez-Zor: live", body="<p>Clashes continued along the river.</p>")
    assert headlines("Hajin") == []
    post_update(article, publisher, HAJIN, title="Air strikes")
    return Article.objects.get(pk=article.pk)


def test_a_story_is_found_by_the_words_of_its_live_updates(blog):
    assert headlines("Hajin") == [blog.headline]
    assert headlines("air strikes") == [blog.headline]  # the update's title too
    assert headlines("hajin river") == [blog.headline]  # words of the update and of the body together
    assert headlines("Mosul") == []


def test_a_corrected_update_is_found_by_its_new_words_and_no_longer_by_those_it_replaced(blog, publisher):
    update = blog.live_updates.get()
    workflow.edit_live_update(update, by=publisher, text="Coalition jets struck Susa overnight.", note="Wrong town")
    assert headlines("Hajin") == []
    assert headlines("Susa") == [blog.headline]
    assert headlines("air strikes") == []  # the correction left the title out


def test_a_removed_update_no_longer_finds_its_story_and_the_others_still_do(blog, publisher):
    post_update(blog, publisher, "Families crossed at Baghouz.")
    workflow.remove_live_update(blog.live_updates.get(text__contains="Hajin"), by=publisher, note="Not confirmed")
    assert headlines("Hajin") == []
    assert headlines("Baghouz") == [blog.headline]


def test_a_story_keeps_its_updates_words_whichever_way_its_own_text_is_written_again(blog):
    blog.body = "<p>Clashes went on along the Euphrates.</p>"
    blog.save()  # the admin's save: the whole row
    assert headlines("Euphrates") == headlines("Hajin") == [blog.headline]
    blog.standfirst = "Fighting near the border."
    Article.objects.bulk_update([blog], ["standfirst"])  # an import updating stories in place
    assert headlines("border") == headlines("Hajin") == [blog.headline]
    assert Article.objects.filter(pk=blog.pk).refresh_search() == 1
    assert headlines("Hajin") == [blog.headline]


def test_a_story_s_other_moves_leave_its_updates_words_in_search(blog, publisher):
    workflow.feature(blog, by=publisher, until=blog.last_published_at + timedelta(days=1))
    workflow.correct(blog, by=publisher, note="An earlier version misnamed the river.")
    workflow.publish_update(blog, by=publisher)
    assert headlines("Hajin") == [blog.headline]


def test_a_withdrawn_story_is_not_found_by_its_updates(blog, publisher):
    workflow.unpublish(blog, by=publisher, note="Under legal review")
    assert headlines("Hajin") == []


def test_words_in_a_headline_rank_above_words_in_a_live_update(blog):
    # The update is newer and its story has more of the word, yet the headline match comes first.
    titled = story(headline="Hajin retaken", age=timedelta(days=3))
    assert headlines("Hajin") == [titled.headline, blog.headline]


def test_arabic_updates_are_found_as_arabic_search_finds_a_story_s_own_text(publisher):
    article = story(headline="معركة دير الزور: تغطية مباشرة", body="<p>استمرت الاشتباكات.</p>", language="ar")
    post_update(article, publisher, "قصف التحالف مواقع بالموصل، وأُغلِقَت الطرق إلى الرَّقة")
    # A prefix written onto the word, diacritics and letter variants fold as the taxonomy folds them.
    assert headlines("الموصل") == headlines("موصل") == [article.headline]
    assert headlines("اغلقت الرقة") == [article.headline]


def test_an_actor_s_alias_in_an_update_finds_the_story(actors, publisher):
    article = story(headline="Baghouz siege: live")
    assert headlines("Daesh") == []
    post_update(article, publisher, "Daesh fighters surrendered at the camp.")
    assert headlines("Daesh") == [article.headline]


def test_the_search_page_lists_a_story_found_by_its_update(client, blog):
    response = client.get("/search/", {"q": "Hajin"})
    assert response.status_code == 200
    assert blog.get_absolute_url() in response.content.decode()


T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def _import(tmp_path, options, updates, body="<p>Fighting along the river.</p>"):
    row = {
        "source_id": "blog-1",
        "headline": "Battle for Baghouz, live",
        "body": body,
        "published_at": T0.isoformat(),
        "live_updates": updates,
    }
    path = tmp_path / "blog.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return run_import([str(path)], ImportOptions(autotag=False, status="published", **options))


@pytest.mark.parametrize("options", [{"copy": True}, {"copy": False}, {"workers": 2}], ids=["copy", "bulk", "workers"])
def test_imported_live_updates_are_searchable_and_an_import_again_keeps_them(tmp_path, options):
    first = {"posted_at": (T0 + timedelta(hours=1)).isoformat(), "title": "", "text": "Families left Hajin."}
    _import(tmp_path, options, [first])
    assert headlines("Hajin") == ["Battle for Baghouz, live"]
    # The same input again, then new body text (the story updated in place), then a new update.
    _import(tmp_path, options, [first])
    _import(tmp_path, options, [first], body="<p>Fighting along the Euphrates.</p>")
    assert headlines("Hajin") == headlines("Euphrates") == ["Battle for Baghouz, live"]
    second = {"posted_at": (T0 + timedelta(hours=2)).isoformat(), "title": "Convoy", "text": "Buses reached Susa."}
    _import(tmp_path, options, [first, second], body="<p>Fighting along the Euphrates.</p>")
    assert LiveUpdate.objects.count() == 2
    assert headlines("Hajin") == headlines("Susa convoy") == headlines("Euphrates") == ["Battle for Baghouz, live"]


def test_the_migration_gives_existing_updates_their_words_and_their_stories_documents(blog):
    # As a database before the migration: updates without words, documents without them.
    LiveUpdate.objects.update(search_words="")
    Article.objects.filter(pk=blog.pk).refresh_search()
    assert headlines("Hajin") == []
    migration = importlib.import_module("articles.migrations.0027_live_update_search_words")
    migration.fill_words(apps, connection.schema_editor())
    assert headlines("Hajin") == [blog.headline]
    assert LiveUpdate.objects.get().search_words.startswith("air strikes coalition jets struck hajin")


def result_snippets(client, address):
    """(snippet HTML, label link href or None) of each search result on the page at `address`."""
    response = client.get(address)
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    found = []
    for paragraph in page.xpath('//li[contains(@class, "story")]//p[@class="snippet"]'):
        link = paragraph.xpath('a[@class="snippet-update"]')
        found.append((lxml_html.tostring(paragraph, encoding="unicode"), link[0].get("href") if link else None))
    return found


def test_a_result_found_by_an_update_shows_that_update_s_words_labelled_and_linked_to_it(client, blog):
    update = blog.live_updates.get()
    [(snippet, href)] = result_snippets(client, "/search/?q=hajin")
    assert "<mark>Hajin</mark>" in snippet
    assert "Live update, " in snippet
    assert href == f"{blog.get_absolute_url()}#update-{update.pk}"
    assert f'id="update-{update.pk}"' in client.get(href.split("#")[0]).content.decode()


def test_an_update_s_snippet_is_its_text_around_the_match_or_its_title_then_text(client, blog, publisher):
    post_update(blog, publisher, "Protesters marched on the gate at noon.", title="March on the oil field")
    [(snippet, href)] = result_snippets(client, "/search/?q=noon")
    assert "</a>: Protesters marched on the gate at <mark>noon</mark>." in snippet  # the text alone
    [(snippet, href)] = result_snippets(client, "/search/?q=oil")
    assert "</a>: March on the <mark>oil</mark> field: Protesters marched on the gate at noon." in snippet


def test_a_result_matching_in_its_own_text_keeps_its_own_snippet(client, blog, publisher):
    post_update(blog, publisher, "The river crossing stayed closed.")
    [(snippet, href)] = result_snippets(client, "/search/?q=river")
    assert href is None
    assert "Clashes continued along the <mark>river</mark>" in snippet


def test_the_snippet_comes_from_the_newest_update_holding_the_words_and_never_a_removed_one(
    client, blog, publisher, django_capture_on_commit_callbacks
):
    newer = post_update(blog, publisher, "Hajin market reopened.")
    [(snippet, href)] = result_snippets(client, "/search/?q=hajin")
    assert "market reopened" in snippet and href.endswith(f"#update-{newer.pk}")
    with django_capture_on_commit_callbacks(execute=True):  # the purge of the cached search page
        workflow.remove_live_update(newer, by=publisher, note="Wrong photo caption")
    [(snippet, href)] = result_snippets(client, "/search/?q=hajin")
    assert "market" not in snippet and href.endswith(f"#update-{blog.live_updates.get(text__contains='jets').pk}")


def test_an_update_past_the_story_page_s_newest_links_the_older_page_that_shows_it(client, publisher):
    article = story(headline="Battle for Deir ez-Zor: live")
    old = post_update(article, publisher, HAJIN, at=timezone.now() - timedelta(hours=5))
    with_updates(article, LIVE_UPDATES_SHOWN, start=timezone.now() - timedelta(hours=4))
    [(snippet, href)] = result_snippets(client, "/search/?q=hajin")
    assert href == f"{article.live_updates_url(2)}#update-{old.pk}"
    assert f'id="update-{old.pk}"' in client.get(href.split("#")[0]).content.decode()


def test_the_label_is_in_the_page_s_language_as_the_result_s_date_is(client, publisher):
    article = story(headline="معركة دير الزور: تغطية مباشرة", body="<p>استمرت الاشتباكات.</p>", language="ar")
    post_update(article, publisher, "قصف التحالف مواقع بالموصل")
    for address, label, language in (
        ("/ar/search/?q=الموصل", "تحديث مباشر،", "ar"),
        ("/search/?q=الموصل", "Live update,", "en"),
    ):
        [(snippet, href)] = result_snippets(client, address)
        assert label in snippet and f'lang="{language}"' in snippet and "<mark>بالموصل</mark>" in snippet, address


def test_a_search_costs_one_query_more_only_when_a_result_is_found_by_its_updates(
    client, blog, publisher, page_cache_off
):
    story(headline="Hajin Hajin market", age=timedelta(days=2))
    post_update(blog, publisher, "The river crossing stayed closed.")
    assert page_queries(client, "/search/?q=river") == 2  # the live story's own text holds the word
    assert page_queries(client, "/search/?q=clashes") == 2
    assert page_queries(client, "/search/?q=hajin") == 3  # one result is found by its update: its snippet
    with_updates(blog, 30)  # however many updates it has
    assert page_queries(client, "/search/?q=hajin") == 3


def test_a_long_blog_s_document_takes_the_newest_updates_words_up_to_the_limit(blog, publisher, monkeypatch):
    # The limit keeps a blog of thousands of updates inside PostgreSQL's tsvector; here, 60 characters.
    monkeypatch.setattr("articles.models.fields.LIVE_WORDS_LIMIT", 60)
    post_update(blog, publisher, "Families reached Susa by bus before the checkpoint closed for the night.")
    assert headlines("Susa") == [blog.headline]
    assert headlines("Hajin") == []  # the older update's words are past the limit
    assert headlines("clashes") == [blog.headline]  # the story's own text is never cut


def test_a_blog_whose_updates_hold_more_words_than_a_tsvector_can_still_takes_a_new_update(blog, publisher):
    # 200 updates of 5,000 characters of distinct made-up words: about 125,000 lexemes, past PostgreSQL's 1 MB
    # for a tsvector had every word gone in. Posting one more must work, and find the story by the newest.
    words = (f"w{n:07x}" for n in range(200 * 625))
    LiveUpdate.objects.bulk_create(
        LiveUpdate(article=blog, posted_at=blog.last_published_at, text=" ".join(next(words) for _ in range(625)))
        for _ in range(200)
    )
    post_update(blog, publisher, "Families reached Susa by bus.")
    assert headlines("Susa") == [blog.headline]


# -- a live blog is as new as its newest update -------------------------------------------------------------------


@pytest.fixture
def small_window(monkeypatch):
    from articles import search as search_module

    monkeypatch.setattr(search_module, "SEARCH_WINDOW", 2)


def newest_first(text):
    return [a.headline for a in search(SearchQuery(text=text, sort=NEWEST)).articles]


def test_a_live_blog_updated_today_comes_first_among_the_newest(publisher):
    blog = story(headline="Baghouz: live", body="<p>The siege of Baghouz.</p>", age=timedelta(days=20))
    newer = story(headline="Baghouz camp report", body="<p>Baghouz camp.</p>", age=timedelta(days=2))
    newest = story(headline="Baghouz: families return", body="<p>Baghouz again.</p>", age=timedelta(days=1))
    assert newest_first("Baghouz") == [newest.headline, newer.headline, blog.headline]
    post_update(blog, publisher, "Shelling resumed at dawn.")
    assert newest_first("Baghouz") == [blog.headline, newest.headline, newer.headline]


def test_a_live_blog_updated_today_is_in_the_window_of_newest_matches_despite_its_age(publisher, small_window):
    blog = story(headline="Hajin: live", body="<p>Fighting in Hajin.</p>", age=timedelta(days=200))
    for n in range(3):
        story(headline=f"Hajin report {n}", body="<p>Hajin.</p>", age=timedelta(days=n + 1))
    assert blog.headline not in newest_first("Hajin")  # past the window of the two newest matches
    post_update(blog, publisher, "The bridge at Hajin fell.")
    found = search(SearchQuery(text="Hajin", sort=NEWEST))
    assert [a.headline for a in found.articles] == [blog.headline, "Hajin report 0"]
    assert blog.headline in headlines("Hajin")
    # The date filters still read the public time: the blog was not published yesterday.
    yesterday = timezone.localdate() - timedelta(days=1)
    dated = search(SearchQuery(text="Hajin", date_from=yesterday, sort=NEWEST)).articles
    assert blog.headline not in [a.headline for a in dated]
