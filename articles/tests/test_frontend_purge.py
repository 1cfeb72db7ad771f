"""Purging a reverse proxy: after a move commits, a real HTTP server on 127.0.0.1 receives a PURGE for every
address the story appears on; a dead or failing proxy is logged and never breaks the publish."""

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from articles import workflow
from articles.models import Article, LiveUpdate
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import S, story, with_updates

pytestmark = pytest.mark.django_db


class RecordingProxy(ThreadingHTTPServer):
    """A tiny stand-in for Varnish: records (method, path, Host) of each request, answers `status`."""

    daemon_threads = True

    def __init__(self, status=200):
        self.requests, self.status = [], status

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_PURGE(handler):  # noqa: N802 - the HTTP method's name
                handler.server.requests.append((handler.command, handler.path, handler.headers["Host"]))
                handler.send_response(handler.server.status)
                handler.send_header("Content-Length", "0")
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self):
        return [path for method, path, _ in self.requests if method == "PURGE"]


@pytest.fixture
def proxy():
    server = RecordingProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def approved(places, actors):
    section = SectionFactory(name="Syria News", slug="syria-news")
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil")
    return story(
        S.APPROVED,
        headline="Last pocket falls in Baghouz",
        section=section,
        regions=[places["baghouz"]],
        actors=[actors["isis"]],
        authors=[author],
    )


def test_publishing_purges_every_page_the_story_appears_on_in_both_editions(
    settings, proxy, approved, publisher, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PURGE_URLS = [proxy.url]
    settings.NEWSROOM_SITE_URL = "https://news.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(approved, by=publisher)
    purged = proxy.paths()
    expected = [
        approved.get_absolute_url(),
        "/",
        "/ar/",
        "/section/syria-news/",
        "/ar/section/syria-news/",
        "/region/baghouz/",
        "/region/deir-ez-zor-governorate/",
        "/region/syria/",
        "/ar/region/syria/",
        "/actor/islamic-state/",
        "/ar/actor/islamic-state/",
        "/author/rania-khalil/",
        "/ar/author/rania-khalil/",
        "/feeds/latest/rss/",
        "/ar/feeds/latest/atom/",
        "/corrections/",
        "/ar/corrections/",
        "/feeds/corrections/rss/",
        "/ar/feeds/corrections/atom/",
        "/feeds/region/syria/rss/",
        "/feeds/section/syria-news/atom/",
        "/feeds/actor/islamic-state/rss/",
        "/feeds/author/rania-khalil/atom/",
        "/ar/feeds/author/rania-khalil/rss/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
    ]
    assert [path for path in expected if path not in purged] == []
    assert len(purged) == len(set(purged))  # each address once
    assert {host for _, _, host in proxy.requests} == {"news.example.org"}
    # Places the story is not about are left alone.
    assert "/region/baghdad/" not in purged


def test_every_configured_proxy_is_purged_and_unpublishing_purges_too(
    settings, proxy, approved, publisher, django_capture_on_commit_callbacks
):
    second = RecordingProxy()
    threading.Thread(target=second.serve_forever, daemon=True).start()
    try:
        settings.NEWSROOM_PURGE_URLS = f"{proxy.url},{second.url}"
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(approved, by=publisher)
        proxy.requests.clear()
        second.requests.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workflow.unpublish(approved, by=publisher, note="Legal request")
        assert approved.get_absolute_url() in proxy.paths()
        assert "/corrections/" in proxy.paths()  # its notes leave the corrections page with it
        assert proxy.paths() == second.paths()
    finally:
        second.shutdown()
        second.server_close()


def test_every_move_of_a_live_update_purges_the_feeds_of_the_storys_updates(
    settings, proxy, publisher, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PURGE_URLS = [proxy.url]
    arabic = story(headline="معركة الباغوز", slug="معركة-الباغوز", language="ar")
    feeds = [arabic.live_updates_feed_url(form) for form in ("rss", "atom")]
    assert feeds[0] == f"/ar/article/{arabic.pk}/{quote(arabic.slug)}/live/rss/"  # as readers ask for it
    moves = [
        lambda: workflow.post_live_update(arabic, by=publisher, text="استؤنف القصف فجرا."),
        lambda: workflow.edit_live_update(arabic.live_updates.get(), by=publisher, text="استؤنف القصف ليلا."),
        lambda: workflow.remove_live_update(arabic.live_updates.get(), by=publisher, note="Not confirmed"),
        lambda: workflow.unpublish(arabic, by=publisher, note="Legal request"),
    ]
    for move in moves:
        proxy.requests.clear()
        with django_capture_on_commit_callbacks(execute=True):
            move()
        assert [path for path in [arabic.get_absolute_url(), *feeds] if path not in proxy.paths()] == []


def older_pages(paths, article):
    """The numbers of `article`'s pages of older live updates among the purged `paths`."""
    prefix = f"{article.get_absolute_url()}updates/"
    return [int(path.removeprefix(prefix).strip("/")) for path in paths if path.startswith(prefix)]


@pytest.mark.parametrize(
    "count, move, pages",
    [
        (0, "post", []),  # one update: the story's page holds it
        (100, "post", [2]),  # the 101st update pushes the oldest onto page 2
        (250, "post", [2, 3]),
        (201, "remove", [2, 3]),  # page 3 held the oldest update alone: now empty, its address purged too
        (250, "remove", [2, 3]),
    ],
)
def test_a_live_update_purges_every_page_of_older_updates(
    settings, proxy, publisher, django_capture_on_commit_callbacks, count, move, pages
):
    settings.NEWSROOM_PURGE_URLS = [proxy.url]
    article = with_updates(story(), count) if count else story()
    with django_capture_on_commit_callbacks(execute=True):
        if move == "post":
            workflow.post_live_update(article, by=publisher, text="The bridge is down.")
        else:
            workflow.remove_live_update(LiveUpdate.objects.filter(article=article).first(), by=publisher, note="Wrong.")
    assert older_pages(proxy.paths(), article) == pages
    assert article.get_absolute_url() in proxy.paths()


def test_nothing_is_sent_when_no_proxy_is_configured(
    settings, proxy, approved, publisher, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PURGE_URLS = []
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(approved, by=publisher)
    assert proxy.requests == []


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dead_proxy_is_logged_and_the_story_is_still_published(
    settings, approved, publisher, caplog, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PURGE_URLS = [f"http://127.0.0.1:{_closed_port()}"]
    settings.NEWSROOM_PURGE_TIMEOUT = 0.5
    with (
        caplog.at_level(logging.INFO, logger="articles.frontend_purge"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.publish(approved, by=publisher)
    assert Article.objects.get(pk=approved.pk).status == S.PUBLISHED
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "articles.frontend_purge"]
    assert len(failures) == 1  # one line per proxy, not one per address
    assert "failed" in failures[0].getMessage()


def test_a_proxy_refusing_purges_is_logged_and_the_story_is_still_published(
    settings, approved, publisher, caplog, django_capture_on_commit_callbacks
):
    server = RecordingProxy(status=405)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.NEWSROOM_PURGE_URLS = [server.url]
        with (
            caplog.at_level(logging.WARNING, logger="articles.frontend_purge"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            workflow.publish(approved, by=publisher)
    finally:
        server.shutdown()
        server.server_close()
    assert Article.objects.get(pk=approved.pk).status == S.PUBLISHED
    assert server.paths()
    assert any("answered 405" in r.getMessage() for r in caplog.records)
