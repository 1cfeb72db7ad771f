"""Caching: pages come from the cache without queries, every move purges them at once, HTTP validators work."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import workflow
from articles.tests.factories import SectionFactory
from articles.tests.publishing import S, fresh_cache, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def desk(places, actors):
    section = SectionFactory(name="Syria News", slug="syria-news")
    tags = {"section": section, "regions": [places["baghouz"]], "actors": [actors["isis"]]}
    return {"section": section, "tags": tags, "live": story(headline="Already live story", **tags)}


PAGES = [
    "/",
    "/section/syria-news/",
    "/region/syria/",
    "/region/baghouz/",
    "/actor/islamic-state/",
    "/feeds/latest/rss/",
    "/feeds/region/syria/atom/",
    "/sitemap-articles.xml",
    "/sitemap-news.xml",
    "/search/?q=story",
]


def test_a_cached_page_is_served_without_touching_the_database(client, desk):
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert "Already live story" in response.content.decode()
    assert len(queries) == 0


def test_publishing_purges_every_page_the_story_appears_on(client, desk, publisher, django_capture_on_commit_callbacks):
    new = story(S.APPROVED, headline="Breaking story from Baghouz", **desk["tags"])
    for url in PAGES:
        assert new.headline not in client.get(url).content.decode(), url  # now cached without it
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(new, by=publisher)
    for url in PAGES:
        html = client.get(url).content.decode()
        assert new.get_absolute_url() in html, f"{url} still shows the page cached before publication"


def test_correction_purges_the_cached_article_page(client, desk, publisher, django_capture_on_commit_callbacks):
    url = desk["live"].get_absolute_url()
    assert "Corrections and updates" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.correct(desk["live"], by=publisher, note="The town was misnamed.")
    assert "The town was misnamed." in client.get(url).content.decode()


def test_unpublishing_removes_the_story_everywhere_at_once(client, desk, publisher, django_capture_on_commit_callbacks):
    article = desk["live"]
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.headline in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(article, by=publisher, note="Legal request")
    assert client.get(article.get_absolute_url()).status_code == 410
    for url in PAGES:
        assert article.get_absolute_url() not in client.get(url).content.decode(), url


def test_an_edit_saved_in_the_desk_purges_the_page(client, desk, django_capture_on_commit_callbacks):
    url = desk["live"].get_absolute_url()
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        desk["live"].headline = "Edited headline"
        desk["live"].save()
    assert "Edited headline" in client.get(url).content.decode()


def test_a_scheduled_story_is_not_hidden_by_the_cache_past_its_time(client, desk):
    due = story(S.SCHEDULED, headline="Story due in a moment", scheduled_for=timezone.now() + timedelta(seconds=1))
    assert due.headline not in client.get("/").content.decode()
    time.sleep(2.1)  # the home page was cached only until the scheduled time
    assert due.headline in client.get("/").content.decode()


def test_pages_carry_caching_headers(client, desk):
    response = client.get(desk["live"].get_absolute_url())
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]


def test_conditional_request_with_etag_gets_not_modified(client, desk):
    url = desk["live"].get_absolute_url()
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_conditional_request_with_date_gets_not_modified_until_the_story_changes(
    client, desk, publisher, django_capture_on_commit_callbacks
):
    url = desk["live"].get_absolute_url()
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        workflow.correct(desk["live"], by=publisher, note="A later correction.")
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200


def test_stale_etag_gets_the_full_page(client, desk):
    response = client.get(desk["live"].get_absolute_url(), headers={"If-None-Match": '"not-the-current-one"'})
    assert response.status_code == 200


def test_errors_and_redirects_are_not_cached(client, desk, places):
    assert client.get("/region/deir-ezzor/").status_code == 301
    assert client.get("/region/nowhere-at-all/").status_code == 404
    assert "Cache-Control" not in client.get("/region/nowhere-at-all/")


def test_pages_and_publishing_keep_working_when_the_cache_server_is_down(
    client, desk, publisher, caplog, django_capture_on_commit_callbacks
):
    import socket

    from django.test import override_settings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    dead_redis = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    with override_settings(CACHES=dead_redis):
        new = story(S.APPROVED, headline="Published while Redis is down", **desk["tags"])
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(new, by=publisher)
        for url in ["/", desk["live"].get_absolute_url(), "/region/syria/"]:
            assert client.get(url).status_code == 200, url
        assert new.headline in client.get("/").content.decode()
    assert "page cache unreachable" in caplog.text


def test_the_site_menu_follows_a_renamed_section_at_once(client, desk, settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # only the menu fragment is cached
    assert ">Syria News</a></li>" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        desk["section"].name = "Syria Desk"
        desk["section"].save()
    page = client.get("/").content.decode()
    assert ">Syria Desk</a></li>" in page and ">Syria News</a></li>" not in page
