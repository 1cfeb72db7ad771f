"""`manage.py publish_scheduled`: what it prints, that it is idempotent, and its dry run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleEvent
from articles.tests.test_workflow import _article_in

pytestmark = pytest.mark.django_db
S = Article.Status


def _run(*args):
    out = StringIO()
    call_command("publish_scheduled", *args, stdout=out)
    return out.getvalue()


def _due(minutes_ago, headline):
    article = _article_in(S.SCHEDULED)
    Article.objects.filter(pk=article.pk).update(
        headline=headline, scheduled_for=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return article


def test_publish_scheduled_publishes_what_is_due_and_reports_the_overdue(publisher):
    on_time = _due(1, "Morning briefing")
    late = _due(42, "Overnight roundup")
    future = _article_in(S.APPROVED)
    workflow.schedule(future, by=publisher, at=timezone.now() + timedelta(hours=2))

    dry = _run("--dry-run")
    assert f"Due: #{late.pk} Overnight roundup" in dry and f"Due: #{on_time.pk} Morning briefing" in dry
    assert "2 due" in dry and "dry run, nothing changed" in dry
    assert Article.objects.filter(status=S.SCHEDULED).count() == 3

    out = _run()
    assert f"Published: #{on_time.pk} Morning briefing (scheduled for" in out
    late_line = next(line for line in out.splitlines() if "Overnight roundup" in line)
    assert late_line.endswith(", overdue by 42 min")
    assert "overdue" not in next(line for line in out.splitlines() if "Morning briefing" in line)
    assert "2 published, 1 overdue" in out
    assert set(Article.objects.filter(status=S.PUBLISHED)) == {on_time, late}
    assert Article.objects.get(pk=future.pk).status == S.SCHEDULED

    assert _run() == "Nothing due.\n"  # running again changes nothing
    assert ArticleEvent.objects.filter(action="publish", actor=None).count() == 2


def test_a_scheduled_story_whose_embargo_moved_later_waits(publisher):
    article = _due(3, "Held story")
    Article.objects.filter(pk=article.pk).update(embargo_until=timezone.now() + timedelta(hours=1))
    assert _run() == "Nothing due.\n"
    assert Article.objects.get(pk=article.pk).status == S.SCHEDULED
    assert article not in Article.objects.published()


def test_a_story_published_late_by_the_command_shows_no_updated_time_for_the_run(client, publisher):
    late = _due(42, "Overnight roundup")
    scheduled_for = Article.objects.get(pk=late.pk).scheduled_for
    _run()
    after = Article.objects.get(pk=late.pk)
    assert after.first_published_at == after.last_published_at == scheduled_for
    assert "Updated" not in client.get(after.get_absolute_url()).content.decode()


def test_a_story_published_again_after_a_withdrawal_shows_when(publisher):
    article = _article_in(S.UNPUBLISHED)
    first = Article.objects.get(pk=article.pk).first_published_at
    workflow.publish(article, by=publisher)
    after = Article.objects.get(pk=article.pk)
    assert after.first_published_at == first and after.last_published_at > first + timedelta(minutes=30)
