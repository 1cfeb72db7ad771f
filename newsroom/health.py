"""Health endpoints for load balancers and orchestrators.

- `/healthz`: the process is up and answering. Touches nothing else, so a database outage does not get
  every app server killed and restarted (that would turn a short outage into a long one).
- `/readyz`: this server can do its job: every configured database answers a query and the cache takes a
  write and gives it back. 200 with `{"status": "ok", ...}`, or 503 with `{"status": "unavailable",
  "down": [...], "checks": {...}}` naming each part that failed; the error itself goes to the log, not to
  the caller. A load balancer should stop sending traffic to a server whose /readyz fails.

Both are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) so a plain-HTTP check from the proxy
works, and never cached.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 "ok" while the process answers requests."""
    return HttpResponse("ok\n", content_type="text/plain")


def _check_database(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    key = f"newsroom:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def _checks():
    checks = {f"database:{alias}" if alias != "default" else "database": alias for alias in connections}
    for name, alias in checks.items():
        yield name, lambda alias=alias: _check_database(alias)
    yield "cache", _check_cache


@never_cache
def readyz(request):
    """200 when every database and the cache are reachable, else 503 naming what is down."""
    results = {}
    for name, check in _checks():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure of a dependency means "not ready"
            logger.error("readiness check failed: %s: %s", name, error, extra={"check": name})
            results[name] = "down"
        else:
            results[name] = "ok"
    down = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if down else "ok", "down": down, "checks": results}
    return JsonResponse(body, status=503 if down else 200)
