"""`make serve` as deployed: DEBUG off, collectstatic, gunicorn, with the database down.

One real server for the module: `make serve` (collectstatic into a temporary STATIC_ROOT, then gunicorn with
newsroom/gunicorn.conf.py) with production settings from the environment and DATABASE_URL pointing at a
PostgreSQL port where nothing listens. It shows what readers and load balancers get during a database
outage, and the production headers, static files and logs, all from outside the process.
"""

import http.client
import json
import os
import runpy
import signal
import subprocess
import time
from pathlib import Path

import pytest

from articles.tests.test_health import closed_port

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"X-Forwarded-Proto": "https"}


class Server:
    """A running `make serve`: GET requests, and its log once stopped."""

    def __init__(self, port, process, log_path):
        self.port, self.process, self.log_path = port, process, log_path

    def get(self, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def log_lines(self):
        lines = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


@pytest.fixture(scope="module")
def outage_server(tmp_path_factory):
    """`make serve` with DEBUG off and no database behind it."""
    tmp = tmp_path_factory.mktemp("serve")
    port = closed_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "serve-test-" + "s3cr3t-" * 8,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "true",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/newsroom_prod",
        "REDIS_URL": "",
        "STATIC_ROOT": str(tmp / "static"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "LOG_FORMAT": "json",
    }
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port, process, log_path)
    deadline = time.monotonic() + 60
    while True:
        try:
            if server.get("/healthz")[0].status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGTERM)
            pytest.fail("make serve did not start:\n" + log_path.read_text())
        time.sleep(0.2)
    server.static_root = tmp / "static"
    yield server
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_health_check_stays_up_while_the_database_is_down(outage_server):
    # Plain HTTP, as a load balancer on the private network checks: no redirect to HTTPS.
    response, body = outage_server.get("/healthz")
    assert response.status == 200
    assert body == b"ok\n"


def test_readiness_check_names_the_database_when_it_is_down(outage_server):
    response, body = outage_server.get("/readyz")
    assert response.status == 503
    assert json.loads(body) == {
        "status": "unavailable",
        "down": ["database"],
        "checks": {"database": "down", "cache": "ok"},
    }


def test_reader_gets_a_clear_503_page_not_a_traceback_when_the_database_is_down(outage_server):
    response, body = outage_server.get("/", HTTPS)
    page = body.decode()
    assert response.status == 503
    assert response.getheader("Retry-After") == "30"
    assert response.getheader("Cache-Control") == "no-store"
    assert "We’ll be back shortly" in page and "سنعود بعد قليل" in page
    assert "in about 30 seconds" in page and "بعد نحو ٣٠ ثانية" in page  # each language writes its own digits
    assert "Traceback" not in page and "OperationalError" not in page and "5432" not in page
    assert "<script" not in page


def test_outage_is_logged_once_with_the_request_id(outage_server):
    response, _ = outage_server.get("/", HTTPS)
    request_id = response.getheader("X-Request-ID")
    time.sleep(0.2)  # the log is written by the worker just after the response
    mine = [line for line in outage_server.log_lines() if line.get("request_id") == request_id]
    assert [(line["logger"], line["level"]) for line in mine] == [
        ("newsroom.outage", "ERROR"),
        ("newsroom.request", "ERROR"),
    ]
    outage, request = mine
    assert outage["path"] == "/" and outage["error"] == "OperationalError"
    assert request["method"] == "GET" and request["status"] == 503 and request["user_id"] is None
    assert isinstance(request["duration_ms"], float)


def test_production_answers_carry_the_security_headers(outage_server):
    response, _ = outage_server.get("/", HTTPS)
    csp = response.getheader("Content-Security-Policy")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"
    assert "camera=()" in response.getheader("Permissions-Policy")


def test_plain_http_is_redirected_to_https(outage_server):
    response, _ = outage_server.get("/")
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/"


def test_admin_login_page_sets_only_secure_cookies_and_allows_no_inline_script(outage_server):
    # The login form needs no database, so it renders even now.
    response, body = outage_server.get("/admin/login/", HTTPS)
    assert response.status == 200
    cookies = response.headers.get_all("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
    csp = response.getheader("Content-Security-Policy")
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp


def test_static_files_have_hashed_names_and_year_long_cache_headers(outage_server):
    manifest = json.loads((outage_server.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    assert hashed != "admin/css/base.css"
    response, body = outage_server.get(f"/static/{hashed}", {**HTTPS, "Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Cache-Control") == "max-age=315360000, public, immutable"
    assert response.getheader("Content-Encoding") == "gzip"
    # Pages link the hashed name, so a new deploy's files are never mixed with a cached old one.
    _, page = outage_server.get("/", HTTPS)
    assert f"/static/{manifest['css/status.css']}" in page.decode()


def test_gunicorn_runs_two_workers_per_cpu_plus_one_unless_told(monkeypatch):
    config = ROOT / "newsroom" / "gunicorn.conf.py"
    for name in ("WEB_CONCURRENCY", "BIND", "HOST", "PORT", "GUNICORN_TIMEOUT", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    defaults = runpy.run_path(str(config))
    assert defaults["workers"] == 2 * os.cpu_count() + 1
    assert defaults["bind"] == "127.0.0.1:8000" and defaults["timeout"] == 30 and defaults["accesslog"] is None
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "60")
    configured = runpy.run_path(str(config))
    assert (configured["workers"], configured["bind"], configured["timeout"]) == (3, "127.0.0.1:9000", 60)
