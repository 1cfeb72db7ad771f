"""Breaking news: a publisher shows a live story in a banner on every page of its edition until a time
(`workflow.mark_breaking`), and the banner follows the story's edits and moves on cached pages too."""

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from articles import editing, workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, ArticleEvent
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def banner(client, address):
    """(label, headline, link) of the breaking-news banner on the page at `address`, or None without one."""
    response = client.get(address)
    assert response.status_code in (200, 404), address
    found = lxml_html.fromstring(response.content).xpath('//section[@class="breaking"]')
    if not found:
        return None
    (link,) = found[0].xpath(".//a")
    return found[0].xpath('.//*[@class="breaking-label"]')[0].text_content(), link.text_content(), link.get("href")


def later(**delta):
    return timezone.now() + timedelta(**delta)


@pytest.fixture
def newsday(places):
    """A breaking story and the pages around it: another story, its section, a place, an author."""
    section = SectionFactory(name="Syria News", slug="syria-news")
    author = AuthorFactory(display_name="Rasha Khalil", slug="rasha-khalil")
    breaking = story(headline="Strike hits Deir ez-Zor bridge", section=section, regions=[places["deir"]])
    other = story(headline="Water talks resume", section=section, regions=[places["baghouz"]], authors=[author])
    pages = [
        "/",
        "/syria-news/",
        "/region/syria/",
        other.get_absolute_url(),
        "/author/rasha-khalil/",
        "/search/?q=water",
    ]
    return {"breaking": breaking, "other": other, "pages": pages}


def mark(article, by, capture, **until):
    with capture(execute=True):
        return workflow.mark_breaking(article, by=by, until=later(**(until or {"hours": 2})))


# -- readers ---------------------------------------------------------------------------------------------------


def test_every_page_of_the_edition_links_to_the_breaking_story(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    assert [banner(client, page) for page in newsday["pages"]] == [None] * len(newsday["pages"])  # and cached
    mark(newsday["breaking"], publisher, django_capture_on_commit_callbacks)
    expected = ("Breaking news", "Strike hits Deir ez-Zor bridge", newsday["breaking"].get_absolute_url())
    assert [banner(client, page) for page in newsday["pages"]] == [expected] * len(newsday["pages"])
    # A mistyped address too, and the story's own page; not the Arabic edition.
    assert banner(client, "/no-such-page/") == expected
    assert banner(client, newsday["breaking"].get_absolute_url()) == expected
    assert banner(client, "/ar/") is None
    event = ArticleEvent.objects.get(article=newsday["breaking"], action="mark_breaking")
    assert (event.actor, event.from_status, event.to_status) == (publisher, S.PUBLISHED, S.PUBLISHED)


def test_the_arabic_editions_banner_is_in_arabic_and_only_there(client, publisher, django_capture_on_commit_callbacks):
    arabic = story(headline="قصف جسر في دير الزور", slug="قصف-جسر", language="ar")
    mark(arabic, publisher, django_capture_on_commit_callbacks)
    assert banner(client, "/ar/") == ("عاجل", "قصف جسر في دير الزور", arabic.get_absolute_url())
    assert banner(client, "/") is None
    page = client.get("/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page


def test_only_a_public_story_is_ever_in_the_banner(client, newsday):
    hidden = hidden_stories()
    Article.objects.filter(pk__in=[s.pk for s in hidden.values()]).update(breaking_until=later(hours=1))  # set-up
    assert [banner(client, page) for page in newsday["pages"]] == [None] * len(newsday["pages"])
    assert banner(client, "/no-such-page/") is None


def test_headlines_are_escaped_in_the_banner(client, publisher, django_capture_on_commit_callbacks):
    hostile = story(headline='<script>alert("x")</script> Breaking')
    mark(hostile, publisher, django_capture_on_commit_callbacks)
    page = client.get("/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Breaking" in page


def test_the_banner_costs_no_query_once_warm(client, newsday, publisher, django_capture_on_commit_callbacks, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request renders
    counts = {}
    for shown in (False, True):
        if shown:
            mark(newsday["breaking"], publisher, django_capture_on_commit_callbacks)
        for page in ("/", newsday["other"].get_absolute_url()):
            client.get(page)  # the masthead and the related stories' lists, cached once for every page
            with CaptureQueriesContext(connection) as queries:
                assert (banner(client, page) is not None) is shown
            counts[shown, page] = len(queries)
    # The same queries with the banner as without it (the story page: its row, then its related stories).
    assert all(counts[True, page] == counts[False, page] for page in ("/", newsday["pages"][3])), counts


# -- the banner on cached pages ----------------------------------------------------------------------------------


def test_editing_or_ending_it_reaches_every_cached_page_at_once(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    breaking = mark(newsday["breaking"], publisher, django_capture_on_commit_callbacks)
    assert all(banner(client, page) for page in newsday["pages"])  # cached with the banner
    with django_capture_on_commit_callbacks(execute=True):
        breaking.headline = "Strike cuts Deir ez-Zor bridge, two killed"
        breaking.save()
    assert {banner(client, page)[1] for page in newsday["pages"]} == {"Strike cuts Deir ez-Zor bridge, two killed"}
    with django_capture_on_commit_callbacks(execute=True):
        workflow.end_breaking(breaking, by=publisher)
    assert [banner(client, page) for page in newsday["pages"]] == [None] * len(newsday["pages"])
    assert Article.objects.get(pk=breaking.pk).breaking_until is None


def test_a_wire_update_to_the_breaking_story_reaches_every_cached_page(
    client, newsday, publisher, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "wire.jsonl"
    row = {"source_id": "w-1", "headline": "Strike on bridge", "body": "<p>A strike hit the bridge.</p>"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    options = ImportOptions(source="Wire", status="published", autotag=False)
    run_import([str(path)], options)
    wired = Article.objects.get(source_id="w-1")
    mark(wired, publisher, django_capture_on_commit_callbacks)
    other = newsday["other"].get_absolute_url()  # a story page: purged only by changes to what it shows
    assert banner(client, other)[1] == "Strike on bridge"  # cached with the banner
    path.write_text(json.dumps({**row, "headline": "Strike on bridge kills two"}) + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        assert run_import([str(path)], options).updated == 1  # written in place: bulk, without save signals
    assert banner(client, other)[1] == "Strike on bridge kills two"


def test_withdrawing_the_story_takes_the_banner_off_and_publishing_it_again_does_not_bring_it_back(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    breaking = mark(newsday["breaking"], publisher, django_capture_on_commit_callbacks)
    assert all(banner(client, page) for page in newsday["pages"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(breaking, by=publisher, note="Checking the casualty figures.")
    assert [banner(client, page) for page in newsday["pages"]] == [None] * len(newsday["pages"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(breaking, by=publisher)
    assert banner(client, "/") is None and Article.objects.get(pk=breaking.pk).breaking_until is None


def test_cached_pages_are_not_kept_past_the_banners_end(client, newsday, publisher, django_capture_on_commit_callbacks):
    mark(newsday["breaking"], publisher, django_capture_on_commit_callbacks, seconds=2)
    assert banner(client, "/") and banner(client, newsday["pages"][3])  # rendered and cached now
    assert banner(client, "/")  # from the cache
    time.sleep(3)  # no event comes when the time runs out
    assert banner(client, "/") is None and banner(client, newsday["pages"][3]) is None


def test_a_story_marked_under_embargo_enters_the_banner_when_the_embargo_ends(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    embargoed = story(headline="Ceasefire agreed in Deir ez-Zor", embargo_until=later(seconds=2))
    mark(embargoed, publisher, django_capture_on_commit_callbacks)
    other = newsday["other"].get_absolute_url()
    assert banner(client, "/") is None and banner(client, other) is None  # the masthead and pages cached now
    time.sleep(3)  # the embargo ends without any event
    expected = ("Breaking news", "Ceasefire agreed in Deir ez-Zor", embargoed.get_absolute_url())
    assert banner(client, "/") == expected and banner(client, other) == expected


# -- the desk ----------------------------------------------------------------------------------------------------


def test_refused_breaking_moves_change_nothing(newsday, publisher, editor, reporter):
    breaking = newsday["breaking"]
    with pytest.raises(workflow.WorkflowError, match="Choose a time in the future"):
        workflow.mark_breaking(breaking, by=publisher, until=later(minutes=-1))
    with pytest.raises(workflow.WorkflowError, match="48 hours at most"):
        workflow.mark_breaking(breaking, by=publisher, until=later(hours=49))
    with pytest.raises(workflow.MoveNotAllowed, match="not breaking news"):
        workflow.end_breaking(breaking, by=publisher)
    for colleague in (editor, reporter):
        with pytest.raises(workflow.PermissionRefused):
            workflow.mark_breaking(breaking, by=colleague, until=later(hours=1))
    for status in (S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.UNPUBLISHED, S.SPIKED):
        with pytest.raises(workflow.MoveNotAllowed):
            workflow.mark_breaking(story(status, headline=f"Not live: {status}"), by=publisher, until=later(hours=1))
    assert not Article.objects.filter(breaking_until__isnull=False).exists()
    assert not ArticleEvent.objects.exists()


def test_one_story_per_edition_is_breaking_news_at_a_time(newsday, publisher):
    workflow.mark_breaking(newsday["breaking"], by=publisher, until=later(hours=1))
    with pytest.raises(workflow.WorkflowError, match="“Strike hits Deir ez-Zor bridge” is breaking news"):
        workflow.mark_breaking(newsday["other"], by=publisher, until=later(hours=1))
    assert Article.objects.get(pk=newsday["other"].pk).breaking_until is None
    # The other edition has its own banner; and once the first ends, another story may take its place.
    workflow.mark_breaking(
        story(headline="خبر عاجل", slug="خبر-عاجل", language="ar"), by=publisher, until=later(hours=1)
    )
    workflow.end_breaking(newsday["breaking"], by=publisher)
    workflow.mark_breaking(newsday["other"], by=publisher, until=later(hours=1))
    assert Article.objects.filter(breaking_until__isnull=False).count() == 2
    # Marking the breaking story again moves its time.
    until = later(hours=5)
    workflow.mark_breaking(newsday["other"], by=publisher, until=until)
    assert Article.objects.get(pk=newsday["other"].pk).breaking_until == until


def test_the_desk_shows_a_story_as_breaking_news_until_the_time_chosen_and_ends_it(client, newsday, publisher):
    breaking = newsday["breaking"]
    client.force_login(publisher)
    change = reverse("admin:articles_article_change", args=[breaking.pk])
    page = client.get(change).content.decode()
    assert "Show as breaking news" in page and "End breaking news" not in page
    move = reverse("admin:articles_article_move", args=[breaking.pk, "mark_breaking"])
    refused = client.post(move, {"note": ""}, follow=True).content.decode()
    assert "Enter the date and time the breaking-news banner ends." in refused
    too_late = timezone.localtime(later(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert "48 hours at most" in client.post(move, {"at": too_late}, follow=True).content.decode()
    assert Article.objects.get(pk=breaking.pk).breaking_until is None
    until = timezone.localtime(later(hours=3)).replace(second=0, microsecond=0)
    page = client.post(move, {"at": until.strftime("%Y-%m-%dT%H:%M")}, follow=True).content.decode()
    assert Article.objects.get(pk=breaking.pk).breaking_until == until
    assert "Breaking news until" in page and "End breaking news" in page
    client.post(reverse("admin:articles_article_move", args=[breaking.pk, "end_breaking"]), {"note": ""})
    assert Article.objects.get(pk=breaking.pk).breaking_until is None
    assert list(ArticleEvent.objects.filter(article=breaking).order_by("pk").values_list("action", flat=True)) == [
        "mark_breaking",
        "end_breaking",
    ]


def test_an_editor_is_not_offered_the_move_and_a_forged_post_changes_nothing(client, newsday, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[newsday["breaking"].pk])).content.decode()
    assert "Show as breaking news" not in page
    move = reverse("admin:articles_article_move", args=[newsday["breaking"].pk, "mark_breaking"])
    client.post(move, {"at": timezone.localtime(later(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert Article.objects.get(pk=newsday["breaking"].pk).breaking_until is None
    assert banner(client, "/") is None


def test_a_breaking_story_moved_to_the_other_edition_leaves_the_banner_and_the_top(editor, publisher):
    arabic = story(headline="عاجل: هدنة في دمشق", language="ar")
    english = story(headline="Breaking: truce in Damascus")
    workflow.mark_breaking(arabic, by=publisher, until=timezone.now() + timedelta(hours=2))
    workflow.mark_breaking(english, by=publisher, until=timezone.now() + timedelta(hours=2))
    workflow.feature(english, by=publisher, until=timezone.now() + timedelta(hours=2))
    editing.save_edit(english.pk, {"language": "ar"}, by=editor, base_version=english.version)
    workflow.publish_update(english, by=publisher)
    moved = Article.objects.get(pk=english.pk)
    assert (moved.language, moved.breaking_until, moved.featured_until) == ("ar", None, None)
    assert list(Article.objects.filter(breaking_until__gt=timezone.now()).values_list("pk", flat=True)) == [arabic.pk]
