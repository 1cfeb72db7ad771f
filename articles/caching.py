"""The public site's page cache and HTTP caching headers.

`PageCacheMiddleware` sits early in the middleware stack: a page found in the cache is answered from there,
before sessions, authentication, CSRF, URL resolution and the view, with the headers the whole stack gave it
when it was rendered. Views marked `@public_page` say that their successful GET/HEAD responses may be
stored. The cache is Django's default cache: Redis when REDIS_URL is set (shared by every process, so one
purge reaches all of them), else memory.

What makes a stored page stale:

- a change to a **story** (a workflow move, an edit, a correction) purges the pages that show it. Every
  listing (home, sections, places, actors, authors, search, feeds, sitemaps) is stored with the *listings
  number*, which any story change moves on, because a publish can change any list. Article pages are
  not: each records the stories it shows (itself, its related stories, its translation) in a set per story,
  and a change to a story deletes exactly the pages in that story's set. So a publish re-renders the lists
  and the story's own page, not the whole archive of story pages;
- a change to the **vocabulary** (a section, a place, an actor, an author, a picture) can show on any
  page: it moves the *generation*, which every entry carries, and so empties the whole cache at once.

A story scheduled for later becomes visible at its time without any event, so a page is never cached past
the next scheduled publication or embargo end; a view may also name a time its page changes at
(`keep_until`: the front page, when a story's time at its top runs out).

Each stored page is two entries: the page itself and a small *stamp* entry (its numbers and a random
stamp). Every worker keeps its own copy of the pages it served lately (`_PageCopies`, bounded in bytes);
a lookup reads the counters and the stamp in one round trip and answers from the copy when the stamps
agree, so a purge (which deletes both entries) or a new generation still reaches every process at once,
but a hit does not carry the page's kilobytes from Redis and unpickle them on every request.

Responses carry `Cache-Control`, an `ETag` (a hash of the body) and `Last-Modified`, and conditional
requests are answered with 304 Not Modified, from the cache when the page is there. A story page's
`Last-Modified` is the story's last public change. A listing's is the moment its rendering began: a list
changes when a story leaves it (withdrawn, retagged, moved to another section) or an embargo ends, and no
time among the stories it still shows says so, so the newest of them would let a client that sends only
`If-Modified-Since` keep a list that still shows a withdrawn story.
"""

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import DatabaseError, models, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

try:
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import RedisError
except ImportError:  # redis is only needed when REDIS_URL is set
    RedisCache, RedisError = (), OSError

logger = logging.getLogger(__name__)
# What an unreachable cache raises. The site keeps serving without its page cache rather than failing.
CACHE_ERRORS = (RedisError, OSError)
GENERATION_KEY = "newsroom:generation"
LISTINGS_KEY = "newsroom:listings"
# Counts story purges, so a page rendered while one ran is not kept (see _store).
PURGES_KEY = "newsroom:purges"
COUNTERS = (GENERATION_KEY, LISTINGS_KEY, PURGES_KEY)
# The fragments to read along with the next lookup, and what was read of them (`read_along`).
_read_along = ContextVar("newsroom_read_along", default=None)
# Paths that are never public pages: no cache lookup is spent on them.
UNCACHED_PREFIXES = ("/admin/", "/desk/", "/static/", "/media/", "/tinymce/", "/healthz", "/readyz", "/i18n/")
# Story sets and the pages in them when the cache is process memory (without Redis).
_local_sets: dict[str, set[str]] = {}
LOCAL_SETS_LIMIT = 50_000
_local_sets_lock = threading.Lock()


def page_cache_seconds():
    """How long a page stays in the server-side cache (0 turns the page cache off)."""
    return getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 600)


def browser_cache_seconds():
    """The max-age sent to browsers and proxies (short: they cannot be purged)."""
    return getattr(settings, "NEWSROOM_BROWSER_CACHE_SECONDS", 60)


def _counter_start():
    # A fresh start (or an evicted key) begins above every earlier number, so no old page comes back.
    return time.time_ns() // 1000


def _counters(found):
    """The current (generation, listings, purges) from a `get_many` result, starting missing ones."""
    missing = [key for key in COUNTERS if found.get(key) is None]
    if missing:
        for key in missing:
            cache.add(key, _counter_start(), timeout=None)
        found = {**found, **cache.get_many(missing)}
    return tuple(found[key] for key in COUNTERS)


def invalidate_on_commit():
    """`invalidate()` once the current transaction commits (at once outside one): for vocabulary changes,
    including those written with `bulk_create`, which sends no save signals (aliases, imported sections)."""
    transaction.on_commit(invalidate)


def _bump(key):
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _counter_start(), timeout=None)


def invalidate():
    """Make every cached page and fragment stale at once (after a change to the vocabulary)."""
    try:
        _bump(GENERATION_KEY)
    except CACHE_ERRORS as error:
        # A cache that is down holds no pages to purge; when it comes back it starts a new generation.
        logger.warning("page cache unreachable, purge skipped: %s", error)


def _story_set(article_id):
    return f"newsroom:shows:{article_id}"


def _redis_client():
    """The Redis connection behind Django's cache, or None when the cache is process memory."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy, never an instance of it
    if RedisCache and isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


def _remember_shown(key, article_ids, timeout):
    """Record the page `key` in the set of every story it shows (sets expire with the pages they list)."""
    client = _redis_client()
    if client is None:
        with _local_sets_lock:
            if len(_local_sets) >= LOCAL_SETS_LIMIT:
                # Memory sets never expire: past the limit, drop them with every page they list (a purge
                # of everything here is always safe) rather than grow for the life of the process.
                cache.delete_many(_with_stamps({page for pages in _local_sets.values() for page in pages}))
                _local_sets.clear()
            for article_id in article_ids:
                _local_sets.setdefault(_story_set(article_id), set()).add(key)
        return
    pipeline = client.pipeline(transaction=False)
    for article_id in article_ids:
        name = cache.make_key(_story_set(article_id))
        pipeline.sadd(name, key)
        # A set lives as long as the longest-lived page in it: set a lifetime if it has none, else only extend.
        pipeline.expire(name, timeout, nx=True)
        pipeline.expire(name, timeout, gt=True)
    pipeline.execute()


def _take_shown(article_ids):
    """Empty the sets of `article_ids`; the page keys they held."""
    client = _redis_client()
    if client is None:
        with _local_sets_lock:
            return {key for article_id in article_ids for key in _local_sets.pop(_story_set(article_id), ())}
    pipeline = client.pipeline(transaction=True)
    names = [cache.make_key(_story_set(article_id)) for article_id in article_ids]
    for name in names:
        pipeline.smembers(name)
    pipeline.delete(*names)
    members = pipeline.execute()[:-1]
    return {key.decode() for found in members for key in found}


def purge_stories(*article_ids):
    """A change to these stories: every listing goes stale, and every page showing one of them is deleted.

    Runs after the change has committed, so the next request renders fresh.
    """
    try:
        _bump(LISTINGS_KEY)
        _bump(PURGES_KEY)
        cache.delete_many(_with_stamps(_take_shown(article_ids)))
    except CACHE_ERRORS as error:
        logger.warning("page cache unreachable, purge skipped: %s", error)


def cached_fragment(name, compute, timeout=None, follows_stories=False):
    """`compute()`'s value, cached under `name` (e.g. the navigation) until the generation moves on.

    `follows_stories`: also until any story changes (the listings number moves on). Stored like a page,
    with the numbers it was computed under, so one cache round trip (`MGET`) brings them and the fragment.
    """
    return cached_fragments([name], lambda names: {name: compute()}, timeout, follows_stories)[name]


def _fragment_key(name):
    return f"newsroom:fragment:{name}"


@contextmanager
def read_along(*names):
    """Within the block, the first fragment lookup also reads the fragments `names` (those the page asks for
    later, such as the menu while it renders), so they cost no round trip of their own: a later lookup of
    one is answered from what was read, when it was current then, and goes to the cache as usual otherwise.
    """
    token = _read_along.set({"names": names, "found": None})
    try:
        yield
    finally:
        _read_along.reset(token)


def _lookup_fragments(keys):
    """`_lookup_many` for the fragments `keys` ({name: key}); the first inside `read_along` also reads those
    named there."""
    along = _read_along.get()
    if along is None:
        return _lookup_many(list(keys.values()))
    if along["found"] is None:
        extra = [_fragment_key(name) for name in along["names"] if name not in keys]
        state, found = _lookup_many([*keys.values(), *extra])
        along["state"], along["found"] = state, {key: found[key] for key in extra if key in found}
        return state, found
    found = {key: along["found"][key] for key in keys.values() if key in along["found"]}
    if len(found) == len(keys):
        return along["state"], found
    state, more = _lookup_many([key for key in keys.values() if key not in found])
    return state, {**found, **more}


def cached_fragments(names, compute, timeout=None, follows_stories=False):
    """{name: value} for every name in `names`, from the cache where current, in one round trip.

    `compute(missing)` gives {name: value} for the names not found, all at once (so one query can serve
    them), and those are stored; `timeout` and `follows_stories` as for `cached_fragment`. `timeout` may
    be a function, then called only when something is stored.
    """
    keys = {name: _fragment_key(name) for name in names}
    try:
        state, found = _lookup_fragments(keys)
    except CACHE_ERRORS as error:
        logger.warning("cache unreachable, computing %s directly: %s", ", ".join(names), error)
        return compute(list(names))
    values = {name: found[key][0] for name, key in keys.items() if key in found}
    missing = [name for name in names if name not in values]
    if not missing:
        return values
    computed = compute(missing)
    entries = {keys[name]: _entry(state, computed[name], follows_stories) for name in missing}
    try:
        timeout = timeout() if callable(timeout) else timeout
        cache.set_many(entries, timeout or page_cache_seconds() or 60)
    except CACHE_ERRORS as error:
        logger.warning("cache unreachable, %s not stored: %s", ", ".join(missing), error)
    return {**values, **computed}


def next_visibility_change():
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

    at = cached_fragment("next-change", compute, follows_stories=True)
    return max(1, int(at - time.time()) + 1) if at else None


def stories_fragment_timeout(until=None):
    """Seconds a fragment computed from the public stories may be kept: the page cache's time (600 s without
    one), never past the next scheduled publication or embargo end, which come without any event, nor past
    `until` (a timestamp) when given. Purges keep such a fragment true until then (`follows_stories`)."""
    seconds = min(page_cache_seconds() or 600, next_visibility_change() or 600)
    if until is not None:
        seconds = min(seconds, int(until - time.time()) + 1)
    return max(1, seconds)


def _page_key(request):
    # get_host() refuses a Host that ALLOWED_HOSTS does not name (400), as it would without the cache.
    digest = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()[:32]
    return f"newsroom:page:{request.method == 'HEAD'}:{digest}"


def _stamp_key(page_key):
    """The small entry that says which copy of the page `page_key` is current."""
    return f"{page_key}:stamp"


def _with_stamps(page_keys):
    return [name for key in page_keys for name in (key, _stamp_key(key))]


class _PageCopies:
    """This process's copies of pages it served lately: {page key: (stamp, (content, headers))}, least recently
    used dropped first once their content passes `limit` bytes. Only ever answered when the shared cache's
    stamp entry names the same stamp, so a copy is never staler than the shared cache."""

    def __init__(self, limit):
        self.limit, self.size = limit, 0
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, stamp):
        with self.lock:
            copy = self.pages.get(key)
            if copy is None or copy[0] != stamp:
                return None
            self.pages.move_to_end(key)
            return copy[1]

    def put(self, key, stamp, page):
        size = len(page[0])
        if size > self.limit:
            return
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old[1][0])
            self.pages[key] = (stamp, page)
            self.size += size
            while self.size > self.limit:
                _, (_, dropped) = self.pages.popitem(last=False)
                self.size -= len(dropped[0])


_copies = _PageCopies(getattr(settings, "NEWSROOM_PAGE_COPIES_BYTES", 32 * 1024 * 1024))


def _entry(state, value, follows_stories):
    """What is stored: the generation, the listings number when the value follows stories, the value."""
    generation_now, listings, _purges = state
    return (generation_now, listings if follows_stories else None, value)


def _get_many(keys):
    """`cache.get_many(keys)`; on Redis one `MGET` straight through the backend's client and serializer.

    Django's `get_many` checks every key for characters memcached refuses; on the path of every page-cache
    hit that check cost a third of the lookup's CPU, and our keys are our own, so it is skipped here.
    """
    backend = caches["default"]
    if not (RedisCache and isinstance(backend, RedisCache)):
        return cache.get_many(keys)
    values = _redis_client().mget([backend.make_key(key) for key in keys])
    loads = backend._cache._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


def _lookup_page(key):
    """The current counters and the page stored under `key` as (content, headers), or None if there is no
    current one. One round trip: the counters and the stamp, and the page itself when this process holds no
    copy of it (a second read only when its copy turns out to be of another stamp)."""
    stamp_key = _stamp_key(key)
    has_copy = key in _copies.pages
    found = _get_many([*COUNTERS, stamp_key] if has_copy else [*COUNTERS, stamp_key, key])
    state = _counters(found)
    stamp = found.get(stamp_key)
    if stamp is None or stamp[0] != state[0] or stamp[1] not in (None, state[1]):
        return state, None
    page = _copies.get(key, stamp[2])
    if page is None:
        stored = cache.get(key) if has_copy else found.get(key)
        if stored is None or stored[0] != stamp[2]:
            return state, None  # purged, or replaced, since the stamp was read
        page = stored[1]
        _copies.put(key, stamp[2], page)
    return state, page


def _lookup_many(keys):
    """The current counters and {key: value} of those `keys` whose stored value is still current (one `MGET`)."""
    found = _get_many([*COUNTERS, *keys])
    state = _counters(found)
    current = {}
    for key in keys:
        stored = found.get(key)
        if stored is not None and stored[0] == state[0] and stored[1] in (None, state[1]):
            current[key] = stored[2:]
    return state, current


def _finish(request, response):
    """Add caching headers and answer a conditional request with 304 when it matches."""
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    patch_cache_control(response, public=True, max_age=browser_cache_seconds())
    return _conditional(request, response)


def _conditional(request, response):
    """`response`, or 304 Not Modified when the request's validators match its ETag or Last-Modified."""
    last_modified = response.headers.get("Last-Modified")
    timestamp = parse_http_date_safe(last_modified) if last_modified else None
    return get_conditional_response(request, etag=response.headers.get("ETag"), last_modified=timestamp,
                                    response=response)  # fmt: skip


def set_last_modified(response, when):
    """Give `response` a Last-Modified header for the aware datetime `when` (None: leave it out)."""
    if when:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


def keep_until(request, moment):
    """Declare that the page being rendered changes at `moment` (an aware datetime) without any event: its
    cached copy is not kept past it (the front page, when a story's time at its top runs out)."""
    if moment is not None:
        current = getattr(request, "newsroom_keep_until", None)
        request.newsroom_keep_until = min(current, moment) if current else moment


def shows_stories(request, article_ids):
    """Declare that the page being rendered shows exactly these stories and no listing.

    Its cached copy is then purged only when one of them changes, not on every publish. Pages that do
    not call this are listings, purged by any story change.
    """
    request.newsroom_shows = {pk for pk in article_ids if pk}


def public_page(view):
    """Decorator for reader-facing views: their successful GET/HEAD responses may enter the page cache.

    Adds the caching headers and answers conditional requests; `PageCacheMiddleware` stores and serves
    the pages. Redirects, 404 and 410 pass through uncached.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        started = time.time()  # before the view reads anything: what it shows is at least this recent
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming:
            return response
        if getattr(request, "newsroom_shows", None) is None:
            # A listing (see the module's docstring); a later render, showing any change since, is dated later.
            response["Last-Modified"] = http_date(started)
        response = _finish(request, response)
        if response.status_code == 200:
            response.newsroom_cacheable = True
        return response

    return wrapper


def _store(request, key, state, response):
    """Keep `response` under `key` for the numbers read before it was rendered (`state`)."""
    seconds = page_cache_seconds()
    wait = next_visibility_change()
    timeout = min(seconds, wait) if wait else seconds
    until = getattr(request, "newsroom_keep_until", None)
    if until is not None:
        timeout = max(1, min(timeout, int((until - timezone.now()).total_seconds()) + 1))
    # Headers as the whole stack below this middleware made them; a hit skips that stack.
    page = (response.content, dict(response.items()))
    shown = getattr(request, "newsroom_shows", None)
    if shown is not None:
        _remember_shown(key, shown, timeout)
    stamp = int.from_bytes(os.urandom(8), "big")
    # Both in one write (a MULTI transaction on Redis): a reader who finds the stamp finds its page.
    cache.set_many({key: (stamp, page), _stamp_key(key): _entry(state, stamp, shown is None)}, timeout)
    # A story purge that ran while this page was rendering may have missed it (it was not in the sets
    # yet) and the page may show the story as it was: then it is not kept.
    if shown is not None and cache.get(PURGES_KEY) != state[2]:
        cache.delete_many(_with_stamps([key]))
        return
    _copies.put(key, stamp, page)


def _replay(request, page):
    content, headers = page
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return _conditional(request, response)


class PageCacheMiddleware:
    """Answer public pages from the page cache before the rest of the stack runs; store them after.

    Placed after the request log, the security headers and the search rate limit (they apply to every
    answer) and before the database-outage page, sessions, authentication and the view, none of which a
    cached page needs. Responses that set a cookie are never stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not page_cache_seconds()
            or request.path.startswith(UNCACHED_PREFIXES)
        ):
            return self.get_response(request)
        key = _page_key(request)
        try:
            state, stored = _lookup_page(key)
        except CACHE_ERRORS as error:
            logger.warning("page cache unreachable, serving %s uncached: %s", request.path, error)
            return self.get_response(request)
        if stored is not None:
            return _replay(request, stored)
        response = self.get_response(request)
        if getattr(response, "newsroom_cacheable", False) and response.status_code == 200 and not response.cookies:
            try:
                _store(request, key, state, response)
            except CACHE_ERRORS as error:
                logger.warning("page cache unreachable, %s not stored: %s", request.path, error)
            except DatabaseError as error:
                # The page was rendered; the database went away just after. Serve it, keep nothing.
                logger.warning("database unreachable, %s not stored: %s", request.path, error)
        return response
