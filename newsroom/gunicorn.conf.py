"""gunicorn settings for `make serve`, all from the environment (gunicorn reads this file with `-c`).

- BIND, else HOST:PORT (127.0.0.1:8000): where to listen. Behind nginx on the same host keep 127.0.0.1.
- WEB_CONCURRENCY: worker processes; default 2 × CPUs + 1 (gunicorn's own advice for sync workers).
- GUNICORN_THREADS: threads per worker (default 1: sync workers; more switches to the gthread worker).
- GUNICORN_TIMEOUT (30 s): a worker silent this long is killed and replaced; GUNICORN_GRACEFUL_TIMEOUT (30 s)
  is how long a restart waits for requests in flight.
- GUNICORN_MAX_REQUESTS (1000, jittered by up to 10 %): recycle a worker after that many requests, so a slow
  leak never grows without bound. 0 switches it off.
- GUNICORN_ACCESS_LOG: off by default, because Django logs one structured line per request (with the
  request id and user) through newsroom/request_log.py; set it to "-" for gunicorn's own access log too.
"""

import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name) or default)


bind = os.environ.get("BIND") or f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# The proxy in front sets X-Forwarded-*; gunicorn itself need not trust anyone else's.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "newsroom.wsgi:application"
proc_name = "newsroom"
