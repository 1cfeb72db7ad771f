"""The top of the front page: a publisher puts a story there until a time (`workflow.feature`), above newer ones."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from articles import workflow
from articles.models import Article, ArticleEvent
from articles.tests.publishing import S, fresh_cache, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def top_stories(client, address="/"):
    """The headlines of the front page's top stories, in page order, and that part of the page."""
    page = lxml_html.fromstring(client.get(address).content)
    (top,) = page.xpath('//section[@aria-labelledby="top-stories-title"]')
    return [link.text_content() for link in top.xpath('.//*[@class="story-headline"]/a')], lxml_html.tostring(
        top, encoding="unicode"
    )


@pytest.fixture
def newsday():
    """An older story and six newer ones: the older one is not among the five top stories by date."""
    older = story(headline="Dam talks resume in Baghdad", age=timedelta(hours=9))
    for n in range(6):
        story(headline=f"Newer story {n}", age=timedelta(hours=6 - n))
    return older


def test_a_featured_older_story_leads_the_front_page_above_newer_ones(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    assert newsday.headline not in top_stories(client)[0]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.feature(newsday, by=publisher, until=timezone.now() + timedelta(hours=3))
    shown, _ = top_stories(client)
    assert shown[0] == newsday.headline
    assert shown[1:] == ["Newer story 5", "Newer story 4", "Newer story 3", "Newer story 2"]
    event = ArticleEvent.objects.get(article=newsday, action="feature")
    assert (event.actor, event.from_status, event.to_status) == (publisher, S.PUBLISHED, S.PUBLISHED)


def test_featured_stories_lead_newest_first_and_the_newest_fill_the_rest(client, newsday, publisher):
    second = Article.objects.get(headline="Newer story 0")
    for article in (newsday, second):
        workflow.feature(article, by=publisher, until=timezone.now() + timedelta(hours=1))
    shown, _ = top_stories(client)
    assert shown == ["Newer story 0", newsday.headline, "Newer story 5", "Newer story 4", "Newer story 3"]


def test_the_story_drops_back_into_its_place_when_its_time_is_up(client, newsday, publisher):
    workflow.feature(newsday, by=publisher, until=timezone.now() + timedelta(hours=1))
    Article.objects.filter(pk=newsday.pk).update(featured_until=timezone.now() - timedelta(seconds=1))
    assert newsday.headline not in top_stories(client)[0]


def test_the_cached_front_page_is_not_kept_past_the_time_at_the_top(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.feature(newsday, by=publisher, until=timezone.now() + timedelta(seconds=2))
    assert top_stories(client)[0][0] == newsday.headline  # rendered and cached now
    assert top_stories(client)[0][0] == newsday.headline  # from the cache
    time.sleep(3)  # no event comes when the time runs out
    assert newsday.headline not in top_stories(client)[0]


def test_featuring_and_unfeaturing_purge_the_cached_front_page_at_once(
    client, newsday, publisher, django_capture_on_commit_callbacks
):
    assert newsday.headline not in top_stories(client)[0]  # cached without it
    with django_capture_on_commit_callbacks(execute=True):
        workflow.feature(newsday, by=publisher, until=timezone.now() + timedelta(hours=4))
    assert top_stories(client)[0][0] == newsday.headline
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unfeature(newsday, by=publisher)
    assert newsday.headline not in top_stories(client)[0]
    assert Article.objects.get(pk=newsday.pk).featured_until is None


def test_only_public_stories_of_the_edition_lead_it(client, newsday):
    later = timezone.now() + timedelta(hours=2)
    draft = story(S.DRAFT, headline="Draft put on top by hand")
    embargoed = story(headline="Embargoed story on top", embargo_until=later)
    arabic = story(headline="قصة عربية في الأعلى", slug="قصة-عربية", language="ar")
    Article.objects.filter(pk__in=[draft.pk, embargoed.pk, arabic.pk]).update(featured_until=later)  # set-up
    _, top = top_stories(client)
    assert "Draft put on top by hand" not in top and "Embargoed story on top" not in top
    assert "قصة عربية في الأعلى" not in top  # the Arabic edition's own front page shows it
    assert "قصة عربية في الأعلى" in client.get("/ar/").content.decode()


def test_refused_feature_moves_change_nothing(newsday, publisher, editor):
    with pytest.raises(workflow.WorkflowError, match="Choose a time in the future"):
        workflow.feature(newsday, by=publisher, until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(workflow.MoveNotAllowed, match="not at the top of the front page"):
        workflow.unfeature(newsday, by=publisher)
    with pytest.raises(workflow.PermissionRefused):
        workflow.feature(newsday, by=editor, until=timezone.now() + timedelta(hours=1))
    draft = story(S.DRAFT, headline="Not live yet")
    with pytest.raises(workflow.MoveNotAllowed):
        workflow.feature(draft, by=publisher, until=timezone.now() + timedelta(hours=1))
    assert not Article.objects.filter(featured_until__isnull=False).exists()
    assert not ArticleEvent.objects.exists()


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_only_publishers_take_a_story_off_the_top(request, newsday, publisher, role):
    until = timezone.now() + timedelta(hours=2)
    workflow.feature(newsday, by=publisher, until=until)
    with pytest.raises(workflow.PermissionRefused):
        workflow.unfeature(newsday, by=request.getfixturevalue(role))
    assert Article.objects.get(pk=newsday.pk).featured_until == until
    assert list(ArticleEvent.objects.filter(article=newsday).values_list("action", flat=True)) == ["feature"]


def test_a_withdrawn_story_does_not_lead_again_when_republished(client, newsday, publisher):
    workflow.feature(newsday, by=publisher, until=timezone.now() + timedelta(hours=5))
    workflow.unpublish(newsday, by=publisher, note="Checking a claim.")
    assert Article.objects.get(pk=newsday.pk).featured_until is None
    workflow.publish(newsday, by=publisher)
    assert top_stories(client)[0][0] != newsday.headline


def test_the_desk_puts_a_story_on_top_until_the_time_chosen_and_takes_it_off(client, newsday, publisher):
    client.force_login(publisher)
    change = reverse("admin:articles_article_change", args=[newsday.pk])
    page = client.get(change).content.decode()
    assert "Put at the top of the front page" in page and "Take off the top of the front page" not in page
    move = reverse("admin:articles_article_move", args=[newsday.pk, "feature"])
    refused = client.post(move, {"note": ""}, follow=True).content.decode()
    assert "Enter the date and time the story leaves the top of the front page." in refused
    assert Article.objects.get(pk=newsday.pk).featured_until is None
    until = timezone.localtime(timezone.now() + timedelta(hours=6)).replace(second=0, microsecond=0)
    page = client.post(move, {"at": until.strftime("%Y-%m-%dT%H:%M")}, follow=True).content.decode()
    assert Article.objects.get(pk=newsday.pk).featured_until == until
    assert "At the top of the front page until" in page and "Take off the top of the front page" in page
    client.post(reverse("admin:articles_article_move", args=[newsday.pk, "unfeature"]), {"note": ""})
    assert Article.objects.get(pk=newsday.pk).featured_until is None


def test_an_editor_is_not_offered_the_move_and_a_forged_post_changes_nothing(client, newsday, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[newsday.pk])).content.decode()
    assert "Put at the top of the front page" not in page
    move = reverse("admin:articles_article_move", args=[newsday.pk, "feature"])
    client.post(move, {"at": "2031-01-01T09:00"})
    assert Article.objects.get(pk=newsday.pk).featured_until is None
