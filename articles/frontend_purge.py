"""Purging a reverse proxy or CDN in front of the site (Varnish, nginx with a purge module, Fastly, …).

The page cache inside Django is purged by articles/caching.py (listings and the story's pages), but a proxy in
front keeps its own copies. When NEWSROOM_PURGE_URLS names one or more proxies (e.g.
"http://127.0.0.1:6081,http://10.0.0.5:6081"), every workflow move sends an HTTP `PURGE` request to each
of them for every address the story appears on: its own page, its pages of older live updates and the
feeds of its live updates, the home pages, its section, its places and the places above them, its actors
and authors, their feeds, the latest-stories feeds, the corrections page and its feeds, the archive and the
story's month and day in it, and the sitemaps, in both editions (English unprefixed, Arabic under /ar/).
The `Host` header is the public site's (NEWSROOM_SITE_URL), so the proxy finds the object it cached for
readers.

Purging is best effort and never fails a publish: each proxy gets a short timeout
(NEWSROOM_PURGE_TIMEOUT seconds), an unreachable one is logged once per move and skipped, and the
short browser max-age bounds what a missed purge can leave behind.
"""

import http.client
import logging
import math
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from articles.archive_views import story_archive_paths
from articles.models import LIVE_UPDATES_SHOWN, Region

logger = logging.getLogger(__name__)
EDITIONS = ("en", "ar")


def purge_targets():
    """The proxies to purge, from NEWSROOM_PURGE_URLS (a list or a comma-separated string)."""
    value = getattr(settings, "NEWSROOM_PURGE_URLS", []) or []
    if isinstance(value, str):
        value = value.split(",")
    return [url.strip().rstrip("/") for url in value if url.strip()]


def _edition_paths(article):
    """Addresses inside one edition (the active language) that show `article` or list it."""
    paths = [reverse("articles:home"), reverse("articles:feed_latest_rss"), reverse("articles:feed_latest_atom")]
    # The story's public notes are listed there; a correction, a withdrawal or an embargo changes that list.
    paths += [reverse(f"articles:{name}") for name in ("corrections", "feed_corrections_rss", "feed_corrections_atom")]
    paths += story_archive_paths(article)
    places = list(article.regions.all())
    for place in list(places):
        # A story about Baghouz is listed on the pages of Deir ez-Zor Governorate and of Syria too.
        places += [above for above in Region.objects.ancestors_of(place) if above not in places]
    listed = [("section", article.section)] if article.section_id else []
    listed += [("region", place) for place in places] + [("actor", actor) for actor in article.actors.all()]
    listed += [("author", author) for author in article.authors.all()]
    for kind, entry in listed:
        paths.append(entry.get_absolute_url())
        paths += [reverse(f"articles:feed_{kind}_{form}", kwargs={"slug": entry.slug}) for form in ("rss", "atom")]
    return paths


def _older_live_update_paths(article):
    """The story's pages of older live updates (articles/live_views.py), all of them: every new update pushes one
    update from each page onto the next, so they all change together. One page more than its updates fill now,
    for the page a removal just emptied (it answers 404 from now on). One query, none without updates."""
    if article.last_live_update_at is None:
        return []
    pages = math.ceil((article.live_updates.shown().count() + 1) / LIVE_UPDATES_SHOWN)
    return [article.live_updates_url(number) for number in range(2, pages + 1)]


def story_paths(article):
    """Every public address (path only) on which `article` appears, in both editions, without repeats."""
    # Its pages of older live updates and the feeds of its updates too: every update move is a move, and one that
    # takes the last update away leaves no sign on the story that it had any.
    paths = [
        article.get_absolute_url(),
        *_older_live_update_paths(article),
        *(article.live_updates_feed_url(form) for form in ("rss", "atom")),
    ]
    for language in EDITIONS:
        with translation.override(language):
            paths += _edition_paths(article)
    paths.append(reverse("sitemap_index"))
    paths += [reverse("sitemap_section", kwargs={"section": name}) for name in ("articles", "news")]
    return list(dict.fromkeys(paths))


def _site_host():
    return urlsplit(getattr(settings, "NEWSROOM_SITE_URL", "") or "http://localhost").netloc


def purge_paths(paths, targets=None):
    """Send `PURGE path` to every proxy for every path; return how many the proxies accepted (2xx or 404).

    One kept-alive connection per proxy; the first network failure on a proxy is logged and the rest of
    its paths are skipped, so a dead proxy costs one timeout, not one per address.
    """
    targets = purge_targets() if targets is None else targets
    timeout = float(getattr(settings, "NEWSROOM_PURGE_TIMEOUT", 2.0))
    host, accepted = _site_host(), 0
    for target in targets:
        parts = urlsplit(target)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        try:
            for path in paths:
                connection.request("PURGE", parts.path + path, headers={"Host": host})
                response = connection.getresponse()
                response.read()
                # 404: the proxy had no copy, which is as good as purged.
                if response.status < 300 or response.status == 404:
                    accepted += 1
                else:
                    logger.warning("purge of %s on %s answered %s", path, target, response.status)
        except (OSError, http.client.HTTPException) as error:
            logger.error("purge on %s failed (%s); its remaining addresses are skipped", target, error)
        finally:
            connection.close()
    return accepted


def purge_story(sender, article, **kwargs):
    """Receiver of `article_moved`: purge the story's addresses on every configured proxy (after commit)."""
    if not purge_targets():
        return
    try:
        paths = story_paths(article)
    except Exception:  # a publish must never fail because a purge could not be planned; say why in the log
        logger.exception("could not list the addresses of article %s to purge", article.pk)
        return
    accepted = purge_paths(paths)
    logger.info("purged %s of %s addresses of article %s", accepted, len(paths) * len(purge_targets()), article.pk)
