"""Caching: pages come from the cache without queries, every move purges them at once, HTTP validators work."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import caching, workflow
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


def _next_second():
    """Wait for the clock's next whole second: HTTP dates count whole seconds."""
    time.sleep(1.01 - time.time() % 1)


@pytest.mark.parametrize("cached", [True, False], ids=["page cache on", "page cache off"])
def test_a_list_that_lost_a_withdrawn_story_is_not_answered_not_modified_by_date(
    client, desk, publisher, settings, django_capture_on_commit_callbacks, cached
):
    # A client that revalidates by date alone (many feed readers and crawlers send only If-Modified-Since)
    # must not keep a list still showing a story withdrawn since; the older story left is no clue to that.
    if not cached:
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    withdrawn = story(headline="Story withdrawn later", **desk["tags"])
    lists = [url for url in PAGES if url != "/search/?q=story"] + ["/corrections/"]
    dates = {}
    for url in lists:
        response = client.get(url)
        assert response.status_code == 200, url
        dates[url] = response["Last-Modified"]
    _next_second()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(withdrawn, by=publisher, note="Legal request")
    for url in lists:
        response = client.get(url, headers={"If-Modified-Since": dates[url]})
        assert response.status_code == 200, url
        assert withdrawn.get_absolute_url() not in response.content.decode(), url


def test_an_unchanged_cached_list_is_answered_not_modified_by_date(client, desk):
    for url in ("/", "/section/syria-news/", "/feeds/latest/rss/", "/sitemap-articles.xml"):
        last_modified = client.get(url)["Last-Modified"]
        response = client.get(url, headers={"If-Modified-Since": last_modified})
        assert response.status_code == 304, url
        assert response.content == b""


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
    dead_redis = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}}
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


def _count_cache_lookups(monkeypatch):
    lookups = []
    real = caching._get_many
    monkeypatch.setattr(caching, "_get_many", lambda keys: lookups.append(keys) or real(keys))
    return lookups


def test_fragments_read_along_come_with_the_first_lookup_and_are_computed_when_missing(db, monkeypatch):
    lookups = _count_cache_lookups(monkeypatch)
    with caching.read_along("probe:menu"):
        assert caching.cached_fragments(["probe:lists"], lambda names: {"probe:lists": [1]}) == {"probe:lists": [1]}
        assert caching.cached_fragment("probe:menu", lambda: "computed") == "computed"  # not cached: computed
    assert len(lookups) == 2  # the lists with the menu, then the menu again (it was missing) to store it
    with caching.read_along("probe:menu"):
        assert caching.cached_fragments(["probe:lists"], lambda names: {"probe:lists": [2]}) == {"probe:lists": [1]}
        assert caching.cached_fragment("probe:menu", lambda: "not asked") == "computed"
    assert len(lookups) == 3  # both from one round trip
    caching.invalidate()
    with caching.read_along("probe:menu"):
        caching.cached_fragments(["probe:lists"], lambda names: {"probe:lists": [3]})
        assert caching.cached_fragment("probe:menu", lambda: "recomputed") == "recomputed"  # read, but stale
    assert caching.cached_fragment("probe:menu", lambda: "not asked") == "recomputed"  # outside: as usual


def test_an_uncached_article_page_reads_its_menu_and_related_lists_in_one_round_trip(
    client, desk, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    other = story(headline="Another Baghouz story", **desk["tags"])
    client.get(other.get_absolute_url())  # the menu and the tags' lists are cached now
    lookups = _count_cache_lookups(monkeypatch)
    page = client.get(desk["live"].get_absolute_url()).content.decode()
    assert ">Syria News</a></li>" in page and "Another Baghouz story" in page
    assert len(lookups) == 1
    with django_capture_on_commit_callbacks(execute=True):
        desk["section"].name = "Syria Desk"
        desk["section"].save()
    page = client.get(desk["live"].get_absolute_url()).content.decode()
    assert ">Syria Desk</a></li>" in page and ">Syria News</a></li>" not in page


# ---------------------------------------------------------------- targeted purges, in memory and in Redis
# The tests empty this Redis database (cache.clear() is FLUSHDB): give a second suite running at the same time
# its own with TEST_REDIS_URL.
REDIS_CACHE = {
    "BACKEND": "newsroom.redis_cache.RedisCache",
    "LOCATION": os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/2",
}


@pytest.fixture(params=["memory", "redis"])
def any_cache(request, settings):
    """Each purge test runs against the process-memory cache and against the shared Redis cache."""
    from django.core.cache import cache

    if request.param == "redis":
        settings.CACHES = {"default": REDIS_CACHE}
    cache.clear()
    yield request.param
    cache.clear()


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def test_publishing_keeps_unrelated_story_pages_in_the_cache(
    client, any_cache, desk, places, publisher, django_capture_on_commit_callbacks
):
    elsewhere = story(headline="Market prices in Baghdad", regions=[places["baghdad"]])
    url = elsewhere.get_absolute_url()
    client.get(url)
    new = story(S.APPROVED, headline="Breaking story from Baghouz", **desk["tags"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(new, by=publisher)
    queries, html = _queries_for(client, url)
    assert queries == 0, "an unrelated story's page was re-rendered after a publish"
    assert "Market prices in Baghdad" in html
    # ...while the lists were purged: the home page shows the new story at once.
    assert new.get_absolute_url() in client.get("/").content.decode()


def test_editing_a_story_purges_the_pages_that_show_it_as_related(
    client, any_cache, desk, django_capture_on_commit_callbacks
):
    neighbour = story(headline="Neighbouring story about Baghouz", **desk["tags"])
    url = desk["live"].get_absolute_url()
    assert "Neighbouring story about Baghouz" in client.get(url).content.decode()  # cached with it as related
    with django_capture_on_commit_callbacks(execute=True):
        neighbour.headline = "Renamed neighbouring story"
        neighbour.save()
    html = client.get(url).content.decode()
    assert "Renamed neighbouring story" in html and "Neighbouring story about Baghouz" not in html


def test_unpublishing_a_story_removes_it_from_related_boxes(
    client, any_cache, desk, publisher, django_capture_on_commit_callbacks
):
    neighbour = story(headline="Story to be withdrawn", **desk["tags"])
    url = desk["live"].get_absolute_url()
    assert neighbour.get_absolute_url() in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(neighbour, by=publisher, note="Legal request")
    assert neighbour.get_absolute_url() not in client.get(url).content.decode()


def test_retagging_purges_the_pages_of_the_stories_it_tagged(client, desk, places, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    untagged = story(headline="Shelling reported near Baghouz", section=desk["section"])
    assert "/region/baghouz/" not in client.get(untagged.get_absolute_url()).content.decode()  # cached, no chip
    assert untagged.get_absolute_url() not in client.get("/region/baghouz/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retag_articles", stdout=io.StringIO())
    assert "/region/baghouz/" in client.get(untagged.get_absolute_url()).content.decode()
    assert untagged.get_absolute_url() in client.get("/region/baghouz/").content.decode()


def test_an_accepted_tag_on_a_live_story_shows_once_its_update_is_published(
    client, desk, places, editor, publisher, django_capture_on_commit_callbacks
):
    untagged = story(headline="Shelling reported near Baghouz", section=desk["section"])
    assert "/region/baghouz/" not in client.get(untagged.get_absolute_url()).content.decode()  # cached, no chip
    client.force_login(editor)
    decide = reverse("article_tag_suggestions", args=[untagged.pk])
    data = {"kind": "region", "entry": places["baghouz"].pk, "decision": "accept", "version": untagged.version}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, data)
    client.logout()
    # An editor's accept is an edit of a live story: it waits for "Publish update" like any other.
    assert "/region/baghouz/" not in client.get(untagged.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_update(untagged, by=publisher)
    assert "/region/baghouz/" in client.get(untagged.get_absolute_url()).content.decode()


def test_renaming_a_place_purges_every_page(client, any_cache, desk, places, django_capture_on_commit_callbacks):
    url = desk["live"].get_absolute_url()
    assert "Baghouz" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        places["baghouz"].name = "Al-Baghuz"
        places["baghouz"].save()
    assert "Al-Baghuz" in client.get(url).content.decode()


def test_a_cached_page_carries_the_same_headers_as_a_rendered_one(client, any_cache, desk, settings):
    settings.NEWSROOM_CSP = True
    url = desk["live"].get_absolute_url()
    rendered = client.get(url)
    queries, _html = _queries_for(client, url)
    cached = client.get(url)
    assert queries == 0
    for header in ("Content-Type", "Content-Language", "ETag", "Last-Modified", "Cache-Control", "X-Frame-Options",
                   "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):  # fmt: skip
        assert cached.headers.get(header) == rendered.headers.get(header), header
    assert cached.headers.get("X-Frame-Options")
    assert cached.content == rendered.content


def test_a_conditional_request_is_answered_from_the_cache(client, any_cache, desk):
    url = desk["live"].get_absolute_url()
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and len(queries) == 0


def test_the_admin_and_the_desk_are_never_served_from_the_page_cache(admin_client, any_cache, desk):
    first = admin_client.get("/admin/")
    with CaptureQueriesContext(connection) as queries:
        second = admin_client.get("/admin/")
    assert first.status_code == second.status_code == 200
    assert len(queries) > 0  # the admin ran again: it checks the session and the user every time


def _through_middleware(view, path="/cache-probe/"):
    """Answer a GET for `path` through the page-cache middleware with `view` wrapped in @public_page."""
    from django.test import RequestFactory

    from articles.caching import PageCacheMiddleware, public_page

    return PageCacheMiddleware(public_page(view))(RequestFactory().get(path))


def test_a_page_that_sets_a_cookie_is_never_stored(any_cache):
    from django.http import HttpResponse

    rendered = []

    def view(request):
        rendered.append(1)
        response = HttpResponse(f"page {len(rendered)}")
        response.set_cookie("reader", "someone")  # e.g. a session: private to one reader
        return response

    first = _through_middleware(view)
    second = _through_middleware(view)
    assert (first.content, second.content) == (b"page 1", b"page 2")


def test_a_page_rendered_while_its_story_was_purged_is_not_kept(any_cache, desk):
    from django.http import HttpResponse

    from articles import caching

    live = desk["live"]
    rendered = []

    def view(request):
        rendered.append(1)
        caching.shows_stories(request, [live.pk])
        if len(rendered) == 1:
            # A correction of the story commits while this page is being rendered from the old text.
            caching.purge_stories(live.pk)
        return HttpResponse(f"render {len(rendered)}")

    assert _through_middleware(view).content == b"render 1"
    assert _through_middleware(view).content == b"render 2"  # the first render was not kept
    assert _through_middleware(view).content == b"render 2"  # the second one was


def test_a_purge_made_by_another_process_reaches_this_one(client, settings, desk):
    """Several app servers share Redis: a correction committed through one purges the pages of all."""
    import subprocess
    import sys

    from django.conf import settings as live_settings

    settings.CACHES = {"default": REDIS_CACHE}
    from django.core.cache import cache

    cache.clear()
    url = desk["live"].get_absolute_url()
    client.get(url)  # cached in the shared Redis
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 0
    script = f"import django; django.setup(); from articles import caching; caching.purge_stories({desk['live'].pk})"
    env = {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "REDIS_URL": REDIS_CACHE["LOCATION"], "PATH": "/usr/bin"}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=live_settings.BASE_DIR, timeout=60)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    cache.clear()
    assert len(queries) > 0, "the page purged by the other process was still served from the cache"


def test_a_worker_never_answers_from_its_own_copy_once_another_worker_stored_a_newer_page(
    client, any_cache, desk, monkeypatch, django_capture_on_commit_callbacks
):
    """Each worker keeps copies of the pages it served; the shared stamp decides whether a copy may answer."""
    from articles import caching

    url = desk["live"].get_absolute_url()
    assert "Already live story" in client.get(url).content.decode()  # this worker now holds a copy
    this_worker = caching._copies
    # Another worker (its own, empty copies) sees the edit and stores the new page under a new stamp.
    monkeypatch.setattr(caching, "_copies", caching._PageCopies(1024 * 1024))
    with django_capture_on_commit_callbacks(execute=True):
        desk["live"].headline = "Headline edited on another worker"
        desk["live"].save()
    assert "Headline edited on another worker" in client.get(url).content.decode()
    # Back on the first worker: its copy is of the old page, so the shared one answers, without rendering.
    monkeypatch.setattr(caching, "_copies", this_worker)
    queries, html = _queries_for(client, url)
    assert "Headline edited on another worker" in html and "Already live story" not in html
    assert queries == 0


def test_the_copies_a_worker_keeps_stay_within_their_byte_limit():
    from articles.caching import _PageCopies

    copies = _PageCopies(limit=25_000)
    for n in range(5):
        copies.put(f"page-{n}", n, (b"x" * 10_000, {}))
    assert copies.size <= 25_000
    assert copies.get("page-0", 0) is None, "the least recently used page should have been dropped"
    assert copies.get("page-4", 4) == (b"x" * 10_000, {})
    assert copies.get("page-4", 99) is None, "a copy under another stamp must not answer"
    copies.put("too-big", 5, (b"x" * 30_000, {}))
    assert copies.get("too-big", 5) is None


def test_a_host_the_site_does_not_serve_is_refused_even_for_a_cached_page(client, desk):
    url = desk["live"].get_absolute_url()
    assert client.get(url).status_code == 200  # cached now
    assert client.get(url, headers={"Host": "evil.example"}).status_code == 400


def test_a_post_is_never_answered_from_the_page_cache(desk):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get("/").status_code == 200  # cached now
    assert client.post("/", {"q": "anything"}).status_code == 403  # the CSRF check still runs


def test_without_redis_the_story_sets_stay_bounded_and_purges_still_hold(
    client, desk, places, monkeypatch, django_capture_on_commit_callbacks
):
    from articles import caching

    monkeypatch.setattr(caching, "LOCAL_SETS_LIMIT", 3)
    others = [story(headline=f"Other story {n}", regions=[places["baghdad"]]) for n in range(12)]
    url = desk["live"].get_absolute_url()
    client.get(url)
    for other in others:
        client.get(other.get_absolute_url())
    # 13 stories were shown; past the limit the sets were dropped (a page adds at most itself + 5 related).
    assert len(caching._local_sets) <= 3 + 6
    with django_capture_on_commit_callbacks(execute=True):
        desk["live"].headline = "Headline changed after the sets were dropped"
        desk["live"].save()
    assert "Headline changed after the sets were dropped" in client.get(url).content.decode()
