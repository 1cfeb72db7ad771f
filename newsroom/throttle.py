"""A rate limit on search, per client address, counted in the shared cache.

Search is the one public page whose cost the visitor chooses (any query, any page, never served from the
page cache), so a scraper or a flood of queries could tie up the database for everyone. Each client address
may make `NEWSROOM_SEARCH_RATE_LIMIT` search requests per minute (0 switches the limit off); beyond that it
gets 429 Too Many Requests with a Retry-After header until the minute is over.

Counting uses fixed one-minute windows keyed by a hash of the address (no reader's address is stored in
clear), in the default cache, so with REDIS_URL every app server shares the same counters. If the cache is
unreachable the request is served and a warning logged: a broken cache must not take search down with it.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from newsroom.security import client_ip

logger = logging.getLogger(__name__)

# Search in both editions (English unprefixed, Arabic under /ar/).
SEARCH_PREFIXES = ("/search/", "/ar/search/")
WINDOW_SECONDS = 60


def _count(key_base, now):
    window = int(now // WINDOW_SECONDS)
    key = f"newsroom:throttle:{key_base}:{window}"
    # add() is a no-op when the key exists, so concurrent first hits cannot reset each other's count.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    return cache.incr(key), (window + 1) * WINDOW_SECONDS - now


class SearchRateLimitMiddleware:
    """Answer 429 with Retry-After once a client address exceeds the per-minute search limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.NEWSROOM_SEARCH_RATE_LIMIT
        if limit > 0 and request.path.startswith(SEARCH_PREFIXES):
            digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()[:32]
            try:
                used, seconds_left = _count(f"search:{digest}", time.time())
            except Exception as error:  # noqa: BLE001 - any cache failure (Redis down, timeout) means "do not limit"
                logger.warning("search rate limit skipped: cache unavailable (%s)", type(error).__name__)
                return self.get_response(request)
            if used > limit:
                retry_after = max(1, int(seconds_left + 0.999))
                # Rendered without the request's context processors: they may query the database.
                response = HttpResponse(render_to_string("429.html", {"retry_after": retry_after}), status=429)
                response["Retry-After"] = str(retry_after)
                response["Cache-Control"] = "no-store"
                return response
        return self.get_response(request)
