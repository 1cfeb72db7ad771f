"""/healthz and /readyz as a load balancer sees them (the database-down case runs a real server: test_serving)."""

import socket
import uuid

import pytest


def closed_port():
    """A local TCP port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django refuses any query, so a 200 proves the database was never asked.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "down": [], "checks": {"database": "ok", "cache": "ok"}}


@pytest.mark.django_db
def test_readyz_checks_a_real_redis_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_cache_when_redis_is_unreachable(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/3",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "down": ["cache"],
        "checks": {"database": "ok", "cache": "down"},
    }
    # The reason is in the log for the operator, not in the answer to whoever asked.
    assert b"Connection" not in response.content
    assert any(record.getMessage().startswith("readiness check failed: cache") for record in caplog.records)
