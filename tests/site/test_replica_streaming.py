"""The read replica end to end: gunicorn (scripts/serve.sh, production settings) on a primary PostgreSQL with
a real streaming standby (`pg_basebackup -R`), both throwaway clusters of the test's own on spare ports.

With the standby's replay paused, a row written on the primary is not on the public page (it is read from
the standby) while the admin shows it; a logged-in staff member who writes sees their own write at once;
after the replay resumes everyone sees both; with the standby stopped the public pages still answer 200,
from the primary. Skips only where the PostgreSQL server binaries are not installed.
"""

import http.client
import subprocess
import time
from http.cookies import SimpleCookie

import pytest
from django.db import connections
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from core import replica
from producers.models import Producer
from tests import workers
from tests.site.page_forms import html_forms
from tests.site.pgclusters import Clusters, query, server_bindir, wait_for_replay, wait_until
from tests.site.prodserver import BASE_DIR, ProdServer, add_database_alias, production_env

APP_PORT = workers.port(8134)
PRIMARY_PORT = workers.port(8135)
STANDBY_PORT = workers.port(8136)
CAUSAL_APP_PORT = workers.port(8137)
DB = "ocop_replica"
STAFF, PASSWORD = "replica-staff", "Mật-khẩu-thử-nghiệm-9431"
BINDIR = server_bindir()

pytestmark = pytest.mark.skipif(BINDIR is None, reason="the PostgreSQL server binaries are not installed")


class Browser:
    """HTTP with a cookie jar, no redirects followed: one visitor of the server."""

    def __init__(self, port, host="127.0.0.1"):
        self.port = port
        self.host = host  # each server's own host name: its own entries in the shared page cache
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers={"Host": self.host, "Cookie": cookie, **(headers or {})})
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return raw.status, text, raw.headers

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, page, fill):
        """Posts the form of `page` that has the fields in `fill`, as a browser would, with those changed."""
        status, text, _ = self.get(page)
        assert status == 200, (page, status)
        form = next(form for form in html_forms(text.encode(), page) if set(fill) <= form.names())
        data = {name: values if len(values) > 1 else values[0] for name, values in form.data().items()}
        data.update(fill)
        body = encode_multipart(BOUNDARY, data)
        return self.request("POST", form.action, body=body, headers={"Content-Type": MULTIPART_CONTENT})

    def log_in(self):
        status, _, headers = self.post_form("/admin/login/", {"username": STAFF, "password": PASSWORD})
        assert status == 302, "the staff login failed"
        assert "/admin/login/" not in headers["Location"]


def _manage(env, *args):
    return subprocess.Popen(
        [str(BASE_DIR / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _finish(*processes):
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output.decode(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def clusters():
    made = Clusters(BINDIR, primary_port=PRIMARY_PORT, standby_port=STANDBY_PORT)
    try:
        made.create_primary()
        primary = made.connect(PRIMARY_PORT)
        query(primary, f"CREATE DATABASE {DB}")
        primary.close()
        # Every statement the standby runs is in its log, with the client's application name first.
        made.create_standby(extra_conf="log_statement = 'all'\nlog_line_prefix = '%a|'")
        yield made
    finally:
        made.stop_all()


@pytest.fixture(scope="module")
def prepared(clusters, tmp_path_factory):
    """(environment, folder) of the app: the primary migrated, a staff account, static files collected."""
    tmp_path = tmp_path_factory.mktemp("replica-server")
    env = production_env(
        tmp_path,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{STANDBY_PORT}/{DB}",
        # One worker: one breaker, so "the next request skipped the replica" is about the same process.
        GUNICORN_WORKERS="1",
        SERVE_MIGRATE="0",
        SERVE_COLLECTSTATIC="0",
        SERVE_TASK_WORKER="0",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    # The schema streams to the standby as it is made; static files are collected meanwhile.
    _finish(_manage(env, "migrate", "--noinput", "-v0"), _manage(env, "collectstatic", "--noinput", "-v0"))
    _finish(_manage(env, "createsuperuser", "--noinput", "--username", STAFF, "--email", "staff@example.org"))
    return env, tmp_path


@pytest.fixture(scope="module")
def server(prepared):
    """The app reading a replica that may be behind: to show that public pages really come from it, the
    lag check and the causal check are off (a paused standby is read as it is)."""
    env, tmp_path = prepared
    env = {**env, "DJANGO_REPLICA_MAX_LAG": "0", "DJANGO_REPLICA_CAUSAL": "0"}
    app = ProdServer(APP_PORT, env, tmp_path / "logs").start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="module")
def causal_server(prepared):
    """The app with the default settings (causal check on), known to the standby as `ocop-causal`."""
    env, tmp_path = prepared
    url = f"{env['DATABASE_REPLICA_URL']}?application_name=ocop-causal"
    app = ProdServer(CAUSAL_APP_PORT, {**env, "DATABASE_REPLICA_URL": url}, tmp_path / "logs").start()
    try:
        yield app
    finally:
        app.stop()


def _insert_producer(primary, name, slug):
    query(
        primary,
        "INSERT INTO producers_producer (name, slug, kind, province_id, address, phone, email, website,"
        " description, logo, source_url, is_synthetic, created_at, updated_at)"
        " SELECT %s, %s, 'cooperative', id, '', '', '', '', '', '', '', false, now(), now()"
        " FROM producers_province WHERE slug = 'son-la'",
        [name, slug],
    )


def test_public_reads_come_from_the_standby_and_the_primary_answers_when_it_stops(clusters, server):
    primary = clusters.connect(PRIMARY_PORT, DB)
    standby = clusters.connect(STANDBY_PORT, DB)
    try:
        _walk_through(clusters, server, primary, standby)
    finally:
        primary.close()
        standby.close()


def _walk_through(clusters, server, primary, standby):
    clusters.ensure_standby()
    visitor, staff = Browser(APP_PORT), Browser(APP_PORT)
    assert query(standby, "SELECT pg_is_in_recovery()")[0][0] is True
    wait_for_replay(primary, standby)
    assert visitor.get("/producers/")[0] == 200
    staff.log_in()
    staff.cookies.pop("ocop_primary")  # as if the login was long ago: no read-your-writes window open

    # Replay paused: the standby stays where it is while the primary moves on.
    query(standby, "SELECT pg_wal_replay_pause()")
    wait_until(lambda: query(standby, "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused", what="pause")
    _insert_producer(primary, "HTX Thử Bản Sao", "htx-thu-ban-sao")
    assert visitor.get("/producers/htx-thu-ban-sao/")[0] == 404  # read from the standby
    assert staff.get("/producers/htx-thu-ban-sao/")[0] == 404  # staff without a recent write: the standby too
    status, admin_list, _ = staff.get("/admin/producers/producer/?q=htx-thu-ban-sao")
    assert status == 200
    assert "HTX Thử Bản Sao" in admin_list  # the admin reads the primary

    # A staff member's own write: they see it at once, nobody else does until the standby replays it.
    province_id = query(primary, "SELECT id FROM producers_province WHERE slug = 'son-la'")[0][0]
    status, _, _ = staff.post_form(
        "/admin/producers/producer/add/",
        {"name": "HTX Ghi Rồi Đọc", "kind": "cooperative", "province": str(province_id)},
    )
    assert status == 302, "the admin did not save the producer"
    assert "ocop_primary" in staff.cookies
    (slug,) = query(primary, "SELECT slug FROM producers_producer WHERE name = 'HTX Ghi Rồi Đọc'")[0]
    status, page, _ = staff.get(f"/producers/{slug}/")
    assert status == 200
    assert "HTX Ghi Rồi Đọc" in page
    assert visitor.get(f"/producers/{slug}/")[0] == 404
    assert query(standby, "SELECT count(*) FROM producers_producer WHERE name = 'HTX Ghi Rồi Đọc'")[0][0] == 0

    # Replay resumed: the standby catches up and the public pages show both rows.
    query(standby, "SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, standby)
    for path in ("/producers/htx-thu-ban-sao/", f"/producers/{slug}/"):
        status, page, _ = visitor.get(path)
        assert status == 200, (path, status, page[:300])

    # The standby stops: the primary answers every public page, the health check says "degraded".
    clusters.stop_standby()
    for path in ("/", "/producers/", "/producers/htx-thu-ban-sao/", "/products/", "/provinces/son-la/"):
        status, page, _ = visitor.get(path)
        assert status == 200, (path, page[:500])
    status, health, _ = visitor.get("/healthz")
    assert status == 200
    assert '"database:replica": "error"' in health
    log = server.stderr_path.read_text(errors="replace")
    assert log.count("read replica unavailable") == 1, "one failure, then the breaker skipped the standby"
    assert "Traceback" not in log


@pytest.fixture
def standby_alias(clusters, django_db_blocker):
    """The alias `replica` in this process, on the standby (the test only reads; no test database needed)."""
    clusters.ensure_standby()
    remove = add_database_alias(
        replica.REPLICA,
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DB,
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": str(STANDBY_PORT),
        },
    )
    replica.reset()
    with django_db_blocker.unblock():
        yield connections[replica.REPLICA]
    remove()
    replica.reset()


def test_a_standby_further_behind_than_the_limit_is_not_read(clusters, prepared, standby_alias, settings):
    primary = clusters.connect(PRIMARY_PORT, DB)
    standby = clusters.connect(STANDBY_PORT, DB)
    settings.REPLICA_LAG_CHECK_SECONDS = 0  # measure at every request
    settings.REPLICA_CAUSAL = False  # this process's primary is the test database, not the cluster
    settings.REPLICA_MAX_LAG = 0.001
    router = replica.ReplicaRouter()

    def read_alias():
        token = replica._reads.set(replica.RequestReads(allowed=True))
        try:
            return router.db_for_read(Producer)
        finally:
            replica._reads.reset(token)

    try:
        _insert_producer(primary, "HTX Độ Trễ Một", "htx-do-tre-mot")
        wait_for_replay(primary, standby)
        assert replica.measure_lag(standby_alias) == 0.0  # all it received is replayed
        assert read_alias() == "replica"

        query(standby, "SELECT pg_wal_replay_pause()")
        _insert_producer(primary, "HTX Độ Trễ Hai", "htx-do-tre-hai")
        wait_until(
            lambda: query(standby, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")[0][0],
            what="the standby to receive what it does not replay",
        )
        behind = replica.measure_lag(standby_alias)
        assert behind > 0
        assert read_alias() == "default"
        settings.REPLICA_MAX_LAG = behind + 3600
        assert read_alias() == "replica"

        # Measured once per interval: a longer interval keeps the last figure.
        settings.REPLICA_MAX_LAG = 0.001
        settings.REPLICA_LAG_CHECK_SECONDS = 3600
        assert read_alias() == "default"
        query(standby, "SELECT pg_wal_replay_resume()")
        wait_for_replay(primary, standby)
        assert replica.measure_lag(standby_alias) == 0.0
        assert read_alias() == "default"  # the cached figure
        replica.lag.checked_at = None
        assert read_alias() == "replica"
    finally:
        query(standby, "SELECT pg_wal_replay_resume()")
        primary.close()
        standby.close()


def _standby_reads(clusters, since):
    """The catalogue queries the causal server ran on the standby after log offset `since`."""
    lines = clusters.log("standby")[since:].splitlines()
    return [line for line in lines if line.startswith("ocop-causal|") and "producers_producer" in line]


def _read_on_caught_up_standby(clusters, primary, standby, visitor, path, tries=5):
    """Whether a visit of `path`, once the standby has replayed the primary, runs its catalogue queries on the
    standby. Tried a few times: the primary's own small writes after the replay (sessions, the cache table)
    and the log's latency can each make one visit read the primary or show no line yet."""
    for _ in range(tries):
        wait_for_replay(primary, standby)
        since = len(clusters.log("standby"))
        assert visitor.get(path)[0] == 200
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            if _standby_reads(clusters, since):
                return True
            time.sleep(0.1)
    return False


def test_with_the_causal_check_a_standby_behind_the_primary_is_not_read(clusters, causal_server):
    clusters.ensure_standby()
    primary = clusters.connect(PRIMARY_PORT, DB)
    standby = clusters.connect(STANDBY_PORT, DB)
    visitor = Browser(CAUSAL_APP_PORT, host="localhost")
    try:
        _insert_producer(primary, "HTX Nhân Quả Một", "htx-nhan-qua-mot")
        assert _read_on_caught_up_standby(clusters, primary, standby, visitor, "/producers/htx-nhan-qua-mot/"), (
            "a caught-up standby serves the public page"
        )

        query(standby, "SELECT pg_wal_replay_pause()")
        _insert_producer(primary, "HTX Nhân Quả Hai", "htx-nhan-qua-hai")
        since = len(clusters.log("standby"))
        status, page, _ = visitor.get("/producers/htx-nhan-qua-hai/")
        assert status == 200  # at once, although the standby has not replayed it
        assert "HTX Nhân Quả Hai" in page
        assert _standby_reads(clusters, since) == []
        assert "pg_last_wal_replay_lsn" in clusters.log("standby")[since:]  # it was asked, and was behind

        query(standby, "SELECT pg_wal_replay_resume()")
        assert _read_on_caught_up_standby(clusters, primary, standby, visitor, "/producers/?q=nhan+qua")
    finally:
        query(standby, "SELECT pg_wal_replay_resume()")
        primary.close()
        standby.close()
