"""A clear "back soon" page instead of a traceback or a bare 500 when the database cannot be reached.

When a view (or the template it renders) fails because the database is down or restarting, psycopg's
error reaches Django as `django.db.OperationalError` or `InterfaceError`. `DatabaseOutageMiddleware` turns
that into 503 Service Unavailable with `templates/jinja2/503.html` (English and Arabic, no technical detail),
`Retry-After`, and `Cache-Control: no-store` so no proxy keeps the outage page after the database is back.
The error is logged once, with the request id and path. Nothing else is needed for recovery: Django opens
a fresh connection on the next request (and CONN_HEALTH_CHECKS replaces a persistent connection that the
restart broke).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def outage_response():
    """The 503 answer given while the database is unreachable."""
    # Rendered without the request: context processors (the user, the site's sections) need the database.
    response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Answer 503 with the outage page when a view fails because the database is unreachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Handle database connection errors; leave every other exception to Django's error handling."""
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unavailable: %s",
            str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__,
            extra={"error": type(exception).__name__, "method": request.method},
        )
        return outage_response()
