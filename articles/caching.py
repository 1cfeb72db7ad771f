"""The public site's page cache and HTTP caching headers.

Every cached page is stored with the site's *generation*, a number in the cache that any change to what
readers can see (a workflow move, an edit of a story, a section, a place, an actor or an author) moves on
(`articles/receivers.py`). Moving it makes every page that might show the story stale at once (home,
sections, places and their parents, actors, authors, related-story boxes, feeds, sitemaps, search) without
having to know which pages those are; stale entries simply expire. The cache is Django's default cache:
Redis when REDIS_URL is set (shared by every process, so one publish purges all of them), else memory.

A story scheduled for later becomes visible at its time without any event, so a page is never cached past
the next scheduled publication or embargo end.

Responses carry `Cache-Control`, an `ETag` (a hash of the body) and `Last-Modified` (when the view knows
it), and conditional requests are answered with 304 Not Modified, from the cache when the page is there.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

try:
    from redis.exceptions import RedisError
except ImportError:  # redis is only needed when REDIS_URL is set
    RedisError = OSError

logger = logging.getLogger(__name__)
# What an unreachable cache raises. The site keeps serving without its page cache rather than failing.
CACHE_ERRORS = (RedisError, OSError)
GENERATION_KEY = "newsroom:generation"
_CACHED_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "ETag", "Link")


def page_cache_seconds():
    """How long a page stays in the server-side cache (0 turns the page cache off)."""
    return getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 600)


def browser_cache_seconds():
    """The max-age sent to browsers and proxies (short: they cannot be purged)."""
    return getattr(settings, "NEWSROOM_BROWSER_CACHE_SECONDS", 60)


def generation():
    """The current generation of public content."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A fresh start (or an evicted key) begins above every earlier number, so no old page comes back.
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def invalidate():
    """Make every cached page stale at once (called after a change readers can see)."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
    except CACHE_ERRORS as error:
        # A cache that is down holds no pages to purge; when it comes back it starts a new generation.
        logger.warning("page cache unreachable, purge skipped: %s", error)


def cached_fragment(name, compute, timeout=None):
    """`compute()`'s value, cached for the current generation under `name` (e.g. the navigation).

    Stored like a page, with the generation it was computed in, so one cache round trip (`MGET`) brings
    both the current generation and the fragment.
    """
    key = f"newsroom:fragment:{name}"
    try:
        current, stored = _lookup(key)
    except CACHE_ERRORS as error:
        logger.warning("cache unreachable, computing %s directly: %s", name, error)
        return compute()
    if stored is not None:
        return stored[0]
    value = compute()
    try:
        cache.set(key, (current, value), timeout or page_cache_seconds() or 60)
    except CACHE_ERRORS as error:
        logger.warning("cache unreachable, %s not stored: %s", name, error)
    return value


def _next_visibility_change():
    """Seconds until a scheduled story or an embargoed one becomes visible (None if none is waiting)."""
    from articles.models import Article

    def compute():
        now = timezone.now()
        Status = Article.Status
        waiting = Article.objects.filter(
            models.Q(status=Status.SCHEDULED, scheduled_for__gt=now)
            | models.Q(status__in=[Status.PUBLISHED, Status.SCHEDULED], embargo_until__gt=now)
        ).aggregate(
            scheduled=models.Min("scheduled_for", filter=models.Q(status=Status.SCHEDULED, scheduled_for__gt=now)),
            embargo=models.Min("embargo_until", filter=models.Q(embargo_until__gt=now)),
        )
        times = [t for t in waiting.values() if t]
        return min(times).timestamp() if times else 0.0

    at = cached_fragment("next-change", compute)
    return max(1, int(at - time.time()) + 1) if at else None


def _page_key(request):
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"newsroom:page:{request.method == 'HEAD'}:{digest}"


def _lookup(key):
    """The current generation and the page stored under `key` if it belongs to it, in one cache round trip."""
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY)
    if current is None:
        return generation(), None
    stored = found.get(key)
    if stored is None or stored[0] != current:
        return current, None
    return current, stored[1:]


def _finish(request, response):
    """Add caching headers and answer a conditional request with 304 when it matches."""
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    patch_cache_control(response, public=True, max_age=browser_cache_seconds())
    last_modified = response.headers.get("Last-Modified")
    timestamp = parse_http_date_safe(last_modified) if last_modified else None
    return get_conditional_response(request, etag=response["ETag"], last_modified=timestamp, response=response)


def set_last_modified(response, when):
    """Give `response` a Last-Modified header for the aware datetime `when` (None: leave it out)."""
    if when:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


def public_page(view):
    """Decorator for reader-facing views: server-side page cache, caching headers and conditional GET.

    Only successful GET/HEAD responses are cached; redirects, 404 and 410 pass through uncached.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        seconds = page_cache_seconds()
        key = _page_key(request) if seconds else None
        # The page is stored with the generation it was rendered in; any later move makes it stale.
        try:
            rendered_in, stored = _lookup(key) if key else (None, None)
        except CACHE_ERRORS as error:
            logger.warning("page cache unreachable, serving %s uncached: %s", request.path, error)
            key, stored = None, None
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return _finish(request, response)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming:
            return response
        response = _finish(request, response)
        if key and response.status_code == 200:
            wait = _next_visibility_change()
            timeout = min(seconds, wait) if wait else seconds
            headers = {name: response[name] for name in _CACHED_HEADERS if response.has_header(name)}
            try:
                cache.set(key, (rendered_in, response.content, headers), timeout)
            except CACHE_ERRORS as error:
                logger.warning("page cache unreachable, %s not stored: %s", request.path, error)
        return response

    return wrapper
