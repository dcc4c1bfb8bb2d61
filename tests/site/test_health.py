"""/healthz against real backends: a working database and Redis, a PostgreSQL port where nothing
listens, a Redis port where nothing listens, and a server that accepts connections but never answers."""

import socket

import pytest
from django.db import OperationalError, connections

from tests import workers

DEAD_PORT = 1  # nothing listens on 127.0.0.1:1
SILENT_PORT = workers.port(8109)  # a socket of the test's own that accepts and never answers
REDIS_DB = 5


def redis_cache(port=6379, db=REDIS_DB, timeout=0.5):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/{db}",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


@pytest.fixture
def extra_database(django_db_setup, django_db_blocker):
    """Adds a database alias for the length of one test.

    The test runs outside Django's TestCase (whose guard refuses any alias it was not told about) with
    pytest-django's blocker lifted; it only reads, so the test database needs no rollback.
    """
    added = []
    django_db_blocker.unblock()

    def add(alias, port, connect_timeout=2):
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "ocop_prod_unreachable",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "OPTIONS": {"connect_timeout": connect_timeout},
        }
        connections.settings[alias] = connections.configure_settings({"default": {}, alias: config})[alias]
        added.append(alias)
        return alias

    yield add
    for alias in added:
        connections[alias].close()
        del connections.settings[alias]
        if hasattr(connections._connections, alias):
            delattr(connections._connections, alias)
    django_db_blocker.restore()


@pytest.fixture
def silent_server():
    """A TCP port that completes the handshake (the kernel's backlog) but never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", SILENT_PORT))
    server.listen(16)
    yield SILENT_PORT
    server.close()


@pytest.mark.django_db
def test_healthy_with_the_local_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "cache:catalogue": "ok"}
    assert body["failed"] == []
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthy_with_a_real_redis(client, settings):
    settings.CACHES = redis_cache()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_head_is_allowed_and_post_is_not(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_unreachable_redis_is_degraded_not_down(client, settings):
    """The site serves every page without its cache: a load balancer must keep the host in rotation."""
    settings.CACHES = redis_cache(port=DEAD_PORT)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "cache": "error"}
    assert body["failed"] == ["cache"]


def test_unreachable_database_gives_503_naming_it(client, extra_database):
    alias = extra_database("reports", DEAD_PORT)
    # The failure is a real refused connection, not Django's "queries not allowed in this test" guard.
    with pytest.raises(OperationalError):
        connections[alias].ensure_connection()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "database:reports": "error", "cache": "ok", "cache:catalogue": "ok"}
    assert body["failed"] == ["database:reports"]


def test_a_backend_that_never_answers_is_reported_within_the_deadline(client, settings, extra_database, silent_server):
    # Both would wait 5 s on their own; the health check gives up on them after one second.
    settings.CACHES = redis_cache(port=silent_server, timeout=5)
    extra_database("stuck", silent_server, connect_timeout=5)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "database:stuck": "timeout", "cache": "timeout"}
    assert body["failed"] == ["cache", "database:stuck"]
