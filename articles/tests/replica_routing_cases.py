"""Read-replica routing, run by test_db_router.py in a pytest of its own with DATABASE_REPLICA_URL set.

Settings add the `replica` alias only when that variable is set at start-up, so these cases need their own
process. There the replica is a TEST MIRROR of the default database: a second connection to the same test
database, so what a reader's page reads through the replica is really there, and the captured queries show
which connection served them.
"""

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from articles import workflow
from articles.models import Article
from articles.tests.factories import ArticleFactory
from newsroom.db_router import PrimaryReplicaRouter, ReplicaReadsMiddleware

pytestmark = pytest.mark.skipif("replica" not in settings.DATABASES, reason="needs DATABASE_REPLICA_URL")
BOTH = ["default", "replica"]


def _queries(request_fn):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = request_fn()
    return response, len(primary), len(replica)


@pytest.fixture
def live_story(reporter, editor, publisher):
    article = ArticleFactory(created_by=reporter, headline="Water returns to Mosul's east bank")
    workflow.submit(article, by=reporter)
    workflow.approve(article, by=editor)
    return workflow.publish(article, by=publisher)


def test_the_replica_mirrors_the_default_database_in_tests():
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"
    assert connections["replica"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_readers_page_views_read_from_the_replica_only(client, live_story):
    for url in ("/", live_story.get_absolute_url()):
        response, on_primary, on_replica = _queries(lambda url=url: client.get(url))
        assert response.status_code == 200
        assert "Water returns to Mosul" in response.content.decode()
        assert on_replica > 0 and on_primary == 0, url


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_logged_in_journalist_reads_from_the_primary_even_on_public_pages(client, editor, live_story):
    client.force_login(editor)
    response, on_primary, on_replica = _queries(lambda: client.get(live_story.get_absolute_url()))
    assert response.status_code == 200
    assert on_primary > 0 and on_replica == 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_form_posts_and_staff_pages_use_the_primary(client, editor):
    response, on_primary, on_replica = _queries(
        lambda: client.post("/admin/login/", {"username": "editor", "password": "pass-for-tests-1"})
    )
    assert response.status_code == 302
    assert on_primary > 0 and on_replica == 0
    response, on_primary, on_replica = _queries(lambda: client.get("/admin/articles/article/"))
    assert response.status_code == 200
    assert on_primary > 0 and on_replica == 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_a_transaction_or_outside_any_request_use_the_primary(rf):
    seen = []

    def view(request):
        seen.append(Article.objects.all().db)
        with transaction.atomic():
            seen.append(Article.objects.all().db)
        return HttpResponse()

    ReplicaReadsMiddleware(view)(rf.get("/"))
    assert seen == ["replica", "default"]
    assert Article.objects.all().db == "default"  # commands, the shell, the scheduler
    assert Article.objects.select_for_update().db == "default"


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "articles") and not router.allow_migrate("replica", "articles")


@pytest.mark.django_db(databases=BOTH)
def test_readiness_checks_the_replica_as_well(client):
    body = client.get("/readyz").json()
    assert body["checks"] == {"database": "ok", "database:replica": "ok", "cache": "ok"}
