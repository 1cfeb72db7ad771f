"""Ending a story's live coverage (`workflow.end_live_coverage`): the story stops being live at once rather than
when its newest update grows old (no "Live" label, no following, off the desk's "Live now"), its page says when
the coverage ended and its structured data gives that time; a new update starts it again; every refusal writes
nothing."""

from datetime import timedelta

import extruct
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from lxml import html as lxml_html

from articles import workflow
from articles.models import Article, ArticleEvent, LiveUpdate
from articles.tests.factories import SectionFactory
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401
from articles.tests.test_live_updates import labels_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def blog(publisher):
    article = story(headline="Battle for Baghouz", section=SectionFactory())
    workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    return Article.objects.get(pk=article.pk)


def shown(client, article):
    """(the page's "ended" sentence, whether it follows the story, the JSON-LD's coverageEndTime)."""
    html = client.get(article.get_absolute_url()).content.decode()
    page = lxml_html.fromstring(html)
    ended = page.xpath('//p[@class="live-ended"]')
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    return (
        " ".join(ended[0].text_content().split()) if ended else None,
        bool(page.xpath("//section[@data-follow-seconds]")),
        data.get("coverageEndTime"),
    )


def written(article):
    return (
        Article.objects.filter(pk=article.pk).values("live_ended_at", "last_published_at", "updated_at").get(),
        list(ArticleEvent.objects.filter(article=article).values_list("pk", flat=True)),
    )


def test_ending_the_coverage_stops_the_story_being_live_everywhere_at_once(client, blog, publisher, page_cache_off):
    assert blog.is_live and shown(client, blog) == (None, True, None)
    assert labels_on(client, blog.section.get_absolute_url())[0] == {"Battle for Baghouz": "Live"}
    workflow.end_live_coverage(blog, by=publisher, note="The fighting is over")
    article = Article.objects.get(pk=blog.pk)
    assert not article.is_live and article.live_ended
    when = timezone.localtime(article.live_ended_at)
    sentence, follows, end = shown(client, article)
    assert sentence == f"This live coverage ended on {when.day} {when:%B %Y, %H:%M}."
    assert (follows, end) == (False, when.replace(microsecond=0).isoformat())
    assert labels_on(client, blog.section.get_absolute_url())[0] == {"Battle for Baghouz": ""}
    assert list(Article.objects.live_now()) == []
    # The page changed: its Last-Modified (and "Updated" time) is the end's.
    assert client.get(blog.get_absolute_url())["Last-Modified"] == http_date(article.live_ended_at.timestamp())
    event = ArticleEvent.objects.filter(article=blog).first()
    assert (event.action, event.note) == ("end_live_coverage", "The fighting is over")
    # The page reads it from the story's row: no query more.
    assert page_queries(client, blog.get_absolute_url()) == 2


def test_a_new_update_starts_the_coverage_again(client, blog, publisher, page_cache_off):
    workflow.end_live_coverage(blog, by=publisher)
    workflow.post_live_update(blog, by=publisher, text="Fighting resumed at noon.")
    article = Article.objects.get(pk=blog.pk)
    assert article.is_live and not article.live_ended
    assert shown(client, article) == (None, True, None)
    assert list(Article.objects.live_now()) == [article]


def test_an_arabic_story_says_so_in_arabic(client, publisher, page_cache_off):
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar")
    workflow.post_live_update(arabic, by=publisher, text="استؤنف القصف فجرا.")
    workflow.end_live_coverage(arabic, by=publisher)
    sentence = shown(client, arabic)[0]
    assert sentence.startswith("انتهت هذه التغطية المباشرة في ") and not any(d in sentence for d in "0123456789")


def test_only_a_live_story_can_end_its_coverage_and_nothing_is_written_otherwise(blog, publisher):
    plain = story()
    old = story()
    workflow.post_live_update(old, by=publisher, text="An old update.")
    Article.objects.filter(pk=old.pk).update(last_live_update_at=timezone.now() - timedelta(days=3))  # set-up
    workflow.end_live_coverage(blog, by=publisher)
    for article in (plain, old, blog):  # no updates, updates grown old, already ended
        before = written(article)
        with pytest.raises(workflow.MoveNotAllowed, match="The story is not live."):
            workflow.end_live_coverage(Article.objects.get(pk=article.pk), by=publisher)
        assert written(article) == before


def test_reporters_and_editors_cannot_end_it(blog, reporter, editor):
    before = written(blog)
    for colleague in (reporter, editor):
        with pytest.raises(workflow.PermissionRefused):
            workflow.end_live_coverage(blog, by=colleague)
    assert written(blog) == before


def test_the_desk_offers_the_move_on_a_live_story_only(client, blog, publisher):
    client.force_login(publisher)
    change = reverse("admin:articles_article_change", args=[blog.pk])
    assert "End live coverage" in client.get(change).content.decode()
    move = reverse("admin:articles_article_move", args=[blog.pk, "end_live_coverage"])
    assert "End live coverage: done." in client.post(move, {"note": ""}, follow=True).content.decode()
    assert 'value="end_live_coverage"' not in client.get(change).content.decode()
    # Posting again starts it, through the desk as through the workflow.
    post = reverse("admin:articles_article_move", args=[blog.pk, "post_live_update"])
    client.post(post, {"text": "Fighting resumed."})
    assert LiveUpdate.objects.filter(article=blog).count() == 2 and Article.objects.get(pk=blog.pk).is_live


# -- starting the coverage before the first update ---------------------------------------------------------------


def test_a_story_started_live_before_any_update_is_labelled_followed_and_says_updates_will_come(
    client, publisher, page_cache_off
):
    article = story(headline="Polls open in Baghdad", section=SectionFactory())
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content.decode())
    assert not page.xpath('//section[@class="live-updates"]')
    plain = page_queries(client, article.get_absolute_url())
    workflow.start_live_coverage(article, by=publisher, note="Election day")
    article = Article.objects.get(pk=article.pk)
    assert article.is_live and list(Article.objects.live_now()) == [article]
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content.decode())
    (section,) = page.xpath('//section[@class="live-updates"]')
    assert section.get("data-follow-seconds") and section.get("data-all-updates") is not None
    assert section.xpath('./p[@class="live-waiting"]')[0].text == "Live coverage has started. Updates will appear here."
    assert labels_on(client, article.section.get_absolute_url())[0] == {"Polls open in Baghdad": "Live"}
    assert page_queries(client, article.get_absolute_url()) == plain  # from the story's row, no updates to read
    # Its live feeds are announced, for a reader to subscribe before the first update.
    feeds = page.xpath('//link[@rel="alternate"][contains(@href, "/live/")]/@href')
    assert feeds == [article.live_updates_feed_url("rss"), article.live_updates_feed_url("atom")]
    assert client.get(feeds[0]).status_code == 200
    # The first update replaces the sentence; ending the coverage takes the story off again.
    workflow.post_live_update(article, by=publisher, text="Turnout is low in the morning.")
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content.decode())
    assert not page.xpath('//p[@class="live-waiting"]') and len(page.xpath("//article[@id]")) == 1
    workflow.end_live_coverage(article, by=publisher)
    assert not Article.objects.get(pk=article.pk).is_live


def test_a_story_ended_or_grown_old_can_be_started_again_but_a_live_one_cannot(client, blog, publisher):
    before = written(blog)
    with pytest.raises(workflow.MoveNotAllowed, match="The story is live already."):
        workflow.start_live_coverage(blog, by=publisher)
    assert written(blog) == before
    workflow.end_live_coverage(blog, by=publisher)
    workflow.start_live_coverage(Article.objects.get(pk=blog.pk), by=publisher)
    restarted = Article.objects.get(pk=blog.pk)
    assert restarted.is_live and not restarted.live_ended
    assert shown(client, restarted) == (None, True, None)


def test_reporters_and_editors_cannot_start_it(reporter, editor):
    article = story()
    before = written(article)
    for colleague in (reporter, editor):
        with pytest.raises(workflow.PermissionRefused):
            workflow.start_live_coverage(article, by=colleague)
    assert written(article) == before


def test_the_desk_lists_a_story_started_live_with_when_it_started(client, publisher):
    article = story(headline="Polls open in Baghdad")
    client.force_login(publisher)
    post = reverse("admin:articles_article_move", args=[article.pk, "start_live_coverage"])
    assert "Start live coverage: done." in client.post(post, {"note": ""}, follow=True).content.decode()
    desk = client.get(reverse("desk:home")).content.decode()
    live = desk[desk.index("Live now (1)") : desk.index("Scheduled (")]
    assert "Polls open in Baghdad" in live and "started " in live and "last update" not in live
