"""Two people changing the same thing at once, on PostgreSQL with real transactions and locks: editors saving
one article, taggers tagging one story, publishers marking breaking news in one edition."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import editing, workflow
from articles.models import Article, ArticleRevision
from articles.tests.desk_forms import form_data
from articles.tests.factories import ArticleFactory
from articles.tests.publishing import story

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _in_thread(target, *args):
    """Run `target` in a thread with its own database connection; returns (thread, result dict)."""
    result = {}

    def run():
        try:
            result["value"] = target(*args)
        except Exception as error:  # reported to the test through `result`
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_two_editors_posting_the_same_version_at_once_one_wins_and_the_other_keeps_their_text(
    on_postgres, editor, publisher
):
    article = ArticleFactory(headline="Original headline", created_by=editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    sessions = {}
    for user in (editor, publisher):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200  # both open version 1
        sessions[user.username] = client
    loaded = form_data(article)
    start = threading.Barrier(2)

    def save(username):
        start.wait()
        response = sessions[username].post(url, {**loaded, "headline": f"Headline by {username}"})
        return response.status_code, response.content.decode()

    threads = {name: _in_thread(save, name) for name in sessions}
    for thread, _ in threads.values():
        thread.join(timeout=60)
    results = {name: result["value"] for name, (_, result) in threads.items()}
    winners = [name for name, (status, _) in results.items() if status == 302]
    losers = [name for name, (status, _) in results.items() if status == 200]
    assert len(winners) == len(losers) == 1, results
    winner, loser = winners[0], losers[0]
    page = results[loser][1]
    assert f"Not saved: {winner} saved version 2 of this article" in page
    assert f'value="Headline by {loser}"' in page
    article.refresh_from_db()
    assert (article.headline, article.version) == (f"Headline by {winner}", 2)
    assert list(ArticleRevision.objects.filter(article=article).values_list("number", flat=True)) == [2, 1]


def test_a_save_waits_for_the_row_lock_and_then_sees_it_is_stale(on_postgres, editor, publisher):
    article = ArticleFactory(headline="Original headline")
    locked, release = threading.Event(), threading.Event()

    def first_editor():
        with transaction.atomic():
            editing.lock_for_edit(article.pk, publisher, 1)
            locked.set()
            release.wait(timeout=30)
            return editing.save_edit(article.pk, {"headline": "First"}, by=publisher, base_version=1)

    first, first_result = _in_thread(first_editor)
    assert locked.wait(timeout=30)
    second, second_result = _in_thread(editing.save_edit, article.pk, {"headline": "Second"}, editor, 1)
    second.join(timeout=1)
    assert second.is_alive()  # blocked on the row lock held by the first editor's open transaction
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert "error" not in first_result
    assert isinstance(second_result.get("error"), editing.StaleEdit)
    assert Article.objects.get(pk=article.pk).headline == "First"


def test_two_transactions_tagging_one_story_at_once_both_tags_reach_search(on_postgres, places):
    """The search-tags trigger locks the story before reading its links (migration 0011): the second
    tagger waits for the first and then sees its link, instead of overwriting the story's tags without it."""
    import time

    from articles.models import ArticleRegion

    article = ArticleFactory(headline="Tagged by two at once")
    holding = threading.Event()

    def tag_with(region, hold):
        with transaction.atomic():
            ArticleRegion.objects.create(content_object=article, tag=region)  # its trigger locks the story
            if hold:
                holding.set()
                time.sleep(1)  # the other transaction adds its link meanwhile and must wait for this one

    first = _in_thread(tag_with, places["deir"], True)
    assert holding.wait(10)
    second = _in_thread(tag_with, places["baghouz"], False)
    for thread, result in (first, second):
        thread.join(timeout=60)
        assert "error" not in result, result
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_tags::text FROM articles_article WHERE id = %s", [article.pk])
        tags = cursor.fetchone()[0]
    assert set(tags.split()) == {f"'~r{places['deir'].pk}'", f"'~r{places['baghouz'].pk}'"}
    assert article.pk in {a.pk for a in Article.objects.filter(regions=places["baghouz"])}


def test_two_publishers_marking_two_stories_as_breaking_news_at_once_one_is_refused(on_postgres, publisher):
    first_story, second_story = story(headline="Ceasefire declared in Idlib"), story(headline="Dam breach near Mosul")
    until = timezone.now() + timedelta(hours=2)
    marked, release = threading.Event(), threading.Event()

    def first_publisher():
        with transaction.atomic():  # marked, and not yet committed when the second publisher checks
            workflow.mark_breaking(first_story, by=publisher, until=until)
            marked.set()
            release.wait(timeout=30)

    first, first_result = _in_thread(first_publisher)
    assert marked.wait(timeout=30), first_result
    second, second_result = _in_thread(workflow.mark_breaking, second_story, publisher, until)
    second.join(timeout=1)
    assert second.is_alive()  # waits for the first marking in this edition to commit
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert "error" not in first_result
    refusal = second_result.get("error")
    assert isinstance(refusal, workflow.WorkflowError)
    assert "Ceasefire declared in Idlib" in str(refusal)
    breaking = Article.objects.filter(breaking_until__isnull=False).values_list("headline", flat=True)
    assert list(breaking) == ["Ceasefire declared in Idlib"]


def test_marking_breaking_news_in_one_edition_does_not_wait_for_the_other(on_postgres, publisher):
    english, arabic = story(headline="Ceasefire declared in Idlib"), story(headline="وقف إطلاق النار", language="ar")
    until = timezone.now() + timedelta(hours=2)
    marked, release = threading.Event(), threading.Event()

    def english_publisher():
        with transaction.atomic():
            workflow.mark_breaking(english, by=publisher, until=until)
            marked.set()
            release.wait(timeout=30)

    first, _ = _in_thread(english_publisher)
    assert marked.wait(timeout=30)
    second, second_result = _in_thread(workflow.mark_breaking, arabic, publisher, until)
    second.join(timeout=10)
    finished_while_english_open = not second.is_alive()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert finished_while_english_open
    assert "error" not in second_result
