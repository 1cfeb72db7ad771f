"""Structured logs: one JSON line per request, and every log line stamped with the request it belongs to.

`RequestLogMiddleware` gives each request an id (the proxy's `X-Request-ID` when it sends a sane one, else a
new random one), echoes it in the response's `X-Request-ID` header, and when the response is ready logs one
line on the `newsroom.request` logger with the method, path, status, duration in milliseconds, the user's id
(when the request already knew who the user was) and the request id.

Importing this module installs a log-record factory that attaches the current request's id and path to
every record created while a request is being served (as `record.newsroom_request`), so an error logged by
Django (`django.request`) or by our code deep inside a view carries the same id as the request line.
`JSONFormatter` writes each record as one JSON object per line; the LOGGING setting uses it for the console.

Deliberately left out of the request line: the query string (search terms can identify a reader) and the
client's address (the reverse proxy's log has it, under its own retention policy).
"""

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

logger = logging.getLogger("newsroom.request")

_current = contextvars.ContextVar("newsroom_request", default=None)
# A proxy-supplied id is trusted only if it looks like one (no spaces, quotes or newlines to forge log lines).
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# Attributes every LogRecord has; anything else on a record was passed in `extra` and belongs in the JSON.
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def current_request_id():
    """The id of the request being served in this thread or task, or None outside a request."""
    context = _current.get()
    return context["request_id"] if context else None


def _record_factory_with_request(previous):
    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        # Under a name of our own: `extra` may not overwrite an attribute the record already has, so taking
        # "request_id" or "path" here would make any logging call that passes them raise.
        record.newsroom_request = _current.get()
        return record

    factory.newsroom_request_context = True
    return factory


if not getattr(logging.getLogRecordFactory(), "newsroom_request_context", False):
    logging.setLogRecordFactory(_record_factory_with_request(logging.getLogRecordFactory()))


def _known_user_id(request):
    # Only a user the request has already loaded: looking one up here would cost a session and a user
    # query on pages that never needed them (and fail while the database is down).
    user = getattr(request, "_cached_user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Assign a request id, and log one structured line per request when its response is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set({"request_id": request_id, "path": request.path})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _known_user_id(request),
                "request_id": request_id,
            }
            # 5xx answers are the ones someone must look at; make them stand out by level.
            level = logging.ERROR if response.status_code >= 500 else logging.INFO
            logger.log(level, "%s %s %s", request.method, request.path, response.status_code, extra=fields)
            return response
        finally:
            _current.reset(token)


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, every `extra` field, and any traceback."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key not in ("request", "newsroom_request"):
                line[key] = value
        for key, value in (getattr(record, "newsroom_request", None) or {}).items():
            line.setdefault(key, value)
        # Django's own request errors carry the request object; name its path rather than dumping it.
        request = record.__dict__.get("request")
        if request is not None and "path" not in line:
            line["path"] = getattr(request, "path", None)
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)
