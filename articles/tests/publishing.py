"""Test set-up for the public site: stories put straight into a workflow state, and a fresh page cache.

Tests about the workflow itself use articles/workflow.py; these only arrange what readers might see.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import workflow
from articles.models import Article, LiveUpdate
from articles.tests.factories import ArticleFactory

S = Article.Status


def story(status=S.PUBLISHED, age=timedelta(hours=1), **kwargs):
    """An article in `status`, first published `age` ago when it is (or was) public."""
    extra = {k: kwargs.pop(k) for k in ("scheduled_for", "embargo_until", "withdrawal_reason") if k in kwargs}
    article = ArticleFactory(**kwargs)
    fields = {"status": status, **extra}
    if status in (S.PUBLISHED, S.UNPUBLISHED):
        fields["first_published_at"] = fields["last_published_at"] = timezone.now() - age
    if status == S.SCHEDULED:
        fields.setdefault("scheduled_for", timezone.now() + timedelta(hours=1))
    Article.objects.filter(pk=article.pk).update(**fields)  # set-up only: put the row in a state
    article.refresh_from_db()
    return article


def post_update(article, by, text, title="", at=None):
    """A live update posted by `by` on `article` through the workflow, its time then moved to `at` when given
    (set-up only); returns it."""
    workflow.post_live_update(article, by=by, text=text, title=title)
    update = LiveUpdate.objects.filter(article=article).order_by("-pk").first()
    if at is not None:
        LiveUpdate.objects.filter(pk=update.pk).update(posted_at=at)
        update.refresh_from_db()
    return update


def with_updates(article, count, start=None):
    """Give `article` `count` live updates "Update 0" (the oldest) to "Update <count - 1>", a minute apart, as if
    posted while it was public: bulk-created for speed, with the story's time of its newest update set."""
    start = start or timezone.now() - timedelta(minutes=count + 5)
    LiveUpdate.objects.bulk_create(
        LiveUpdate(article=article, posted_at=start + timedelta(minutes=n), text=f"<p>Update {n}</p>")
        for n in range(count)
    )
    newest = start + timedelta(minutes=count - 1)
    Article.objects.filter(pk=article.pk).update(last_live_update_at=newest, last_published_at=newest)
    article.refresh_from_db()
    return article


def hidden_stories():
    """One story in every state readers must not see, keyed by a description."""
    now = timezone.now()
    return {
        "draft": story(S.DRAFT, headline="Draft story nobody may see"),
        "scheduled later": story(
            S.SCHEDULED, headline="Scheduled story not due yet", scheduled_for=now + timedelta(hours=2)
        ),
        "embargoed": story(
            S.PUBLISHED, headline="Embargoed story still secret", embargo_until=now + timedelta(hours=2)
        ),
        "unpublished": story(S.UNPUBLISHED, headline="Withdrawn story gone now", withdrawal_reason="Legal request"),
        "spiked": story(S.SPIKED, headline="Spiked story killed early"),
    }


@pytest.fixture
def fresh_cache():
    """Each test starts with an empty page cache (on_commit purges do not run inside test transactions)."""
    cache.clear()
    yield
    cache.clear()


def page_queries(client, address, warm=True):
    """How many queries the page at `address` runs (it must answer 200). By default it is asked for once first,
    so what is cached for every page (the menu, a story's related lists, a picture's renditions made on its
    first view) is not counted: a pin is what each later view costs."""
    if warm:
        client.get(address)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(queries)
