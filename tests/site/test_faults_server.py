"""A real outage under the real server: gunicorn (scripts/serve.sh, production settings) loses its
database, answers 503 while it is gone, and serves pages again as soon as it is back, with no restart.

On PostgreSQL the app reaches the test database through a TCP relay of the test's own: switching the
relay off refuses new connections and cuts the open ones, exactly what a stopping server does to its
clients, without stopping the PostgreSQL server that other people's tests are using. (The drill that
stops PostgreSQL itself is `make faults`.) On SQLite the database file's folder disappears and comes
back, with persistent connections off, as a lost volume would.
"""

import json
import re

import pytest
from django.db import connection

from tests import workers
from tests.site.prodserver import ProdServer, TcpSwitch, production_env

SERVER_PORT = workers.port(8107)
RELAY_PORT = workers.port(8108)


@pytest.fixture
def outage(settings, tmp_path, django_db_setup, django_db_blocker):
    """(environment for the server, down(), up()) for the database engine this run uses."""
    if settings.USING_POSTGRES:
        with django_db_blocker.unblock():
            db = dict(connection.settings_dict)
        relay = TcpSwitch(RELAY_PORT, (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))).on()
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env = production_env(tmp_path, DATABASE_URL=f"postgres://{auth}@127.0.0.1:{RELAY_PORT}/{db['NAME']}")
        yield env, relay.off, relay.on
        relay.off()
    else:
        folder = tmp_path / "volume"
        folder.mkdir()
        away = tmp_path / "volume-gone"
        env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", DJANGO_CONN_MAX_AGE="0")
        yield env, lambda: folder.rename(away), lambda: away.rename(folder)


def booted_workers(server):
    return len(re.findall(r"Booting worker with pid", server.stderr_path.read_text()))


def test_the_site_answers_503_during_an_outage_and_recovers_by_itself(outage, tmp_path):
    env, down, up = outage
    server = ProdServer(SERVER_PORT, env, tmp_path / "logs").start()
    try:
        assert [server.get("/").status for _ in range(4)] == [200] * 4
        workers = booted_workers(server)
        assert workers == 2

        down()
        during = [server.get("/") for _ in range(6)]
        assert [r.status for r in during] == [503] * 6
        for response in during:
            assert "Traceback" not in response.text
            assert "Hệ thống đang tạm thời gián đoạn" in response.text
            assert response.headers["Retry-After"] == "15"
        health = server.get("/healthz")
        assert health.status == 503
        assert json.loads(health.body)["checks"]["database"] in ("error", "timeout"), health.text

        up()
        after = [server.get("/").status for _ in range(6)]
        assert after == [200] * 6, after
        assert server.get("/healthz").status == 200
        # Recovered by the same workers: nothing was restarted.
        assert booted_workers(server) == workers
        assert server.process.poll() is None
    finally:
        server.stop()
    access = [line for line in server.stdout_lines() if "ocop_catalogue.request" in line]
    assert sum(" GET / 503 " in line for line in access) == 6
    assert "Traceback" not in server.stdout_path.read_text()
