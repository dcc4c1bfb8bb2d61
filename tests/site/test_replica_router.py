"""The read replica's router and middleware (core/replica.py), in-process, on either database engine.

The alias `replica` is added for each test as a second, separate connection to the test database (what
a caught-up replica is to its primary), so each query shows which alias it went to. The tests are
transactional: what the primary commits, the replica connection reads. A replica that is down is an
alias whose database cannot be opened; one that fails mid-request is a database without the tables.
"""

import re
import socket

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import signing
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import replica
from producers.models import Producer
from tests import factories
from tests.admin_world import staff_user
from tests.site.prodserver import add_database_alias

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])


def _middleware():
    names = list(django_settings.MIDDLEWARE)
    names.insert(names.index("django.contrib.sessions.middleware.SessionMiddleware"), "core.replica.ReplicaMiddleware")
    return names


def _point_replica_at(config):
    """Gives the alias `replica` these settings (closing its connection), as a restart with them would."""
    connections[replica.REPLICA].close()
    connections.settings[replica.REPLICA] = connections.configure_settings({"default": {}, replica.REPLICA: config})[
        replica.REPLICA
    ]
    if hasattr(connections._connections, replica.REPLICA):
        delattr(connections._connections, replica.REPLICA)


def _caught_up_config():
    # A mirror for Django's test machinery: it neither flushes nor serialises it, and lets tests use it.
    return {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """The alias exists before each test's database set-up, which only admits aliases it knows."""
    remove = add_database_alias(replica.REPLICA, _caught_up_config())
    yield
    remove()


@pytest.fixture
def with_replica(replica_alias, settings):
    settings.DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    settings.MIDDLEWARE = _middleware()
    settings.REPLICA_BREAKER_SECONDS = 30
    replica.reset()
    yield _point_replica_at
    _point_replica_at(_caught_up_config())
    replica.reset()


def unusable_config(tmp_path):
    """A replica that cannot be reached: a port where nothing listens, or a SQLite file in no folder."""
    config = _caught_up_config()
    if config["ENGINE"].endswith("sqlite3"):
        config["NAME"] = str(tmp_path / "no-such-folder" / "replica.sqlite3")
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free_port = probe.getsockname()[1]
        config.update(HOST="127.0.0.1", PORT=str(free_port), OPTIONS={**config["OPTIONS"], "connect_timeout": 2})
    return config


def tableless_config(tmp_path):
    """A replica that answers but fails on the first catalogue query (a schema it has not replayed yet)."""
    config = _caught_up_config()
    if config["ENGINE"].endswith("sqlite3"):
        config["NAME"] = str(tmp_path / "empty.sqlite3")
    else:
        config["NAME"] = "postgres"
    return config


def queries(client, path, **extra):
    """(response, catalogue queries on the primary, queries on the replica) for one GET."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as secondary,
    ):
        response = client.get(path, **extra)
    catalogue = [q["sql"] for q in primary.captured_queries if "producers_" in q["sql"] or "products_" in q["sql"]]
    return response, catalogue, [q["sql"] for q in secondary.captured_queries]


def test_outside_a_request_reads_and_writes_go_to_the_primary(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Producer) == "default"
    assert router.db_for_write(Producer) == "default"
    assert router.allow_migrate("replica", "producers") is False
    assert router.allow_migrate("default", "producers") is None


def test_an_anonymous_public_page_is_read_from_the_replica(client, with_replica):
    producer = factories.producer(name="HTX Chè Tà Xùa")
    response, on_primary, on_replica = queries(client, producer.get_absolute_url())
    assert response.status_code == 200
    assert "HTX Chè Tà Xùa" in response.content.decode()
    assert on_replica, "the page read nothing from the replica"
    assert on_primary == []
    assert replica.PIN_COOKIE not in response.cookies


def test_the_admin_reads_from_the_primary(client, with_replica):
    client.force_login(staff_user("replica-admin", provinces=["son-la"]))
    response, on_primary, on_replica = queries(client, "/admin/producers/producer/")
    assert response.status_code == 200
    assert on_replica == []
    assert on_primary


def test_a_post_reads_from_the_primary(client, with_replica):
    producer = factories.producer()
    with CaptureQueriesContext(connections[replica.REPLICA]) as secondary:
        response = client.post(f"/producers/{producer.slug}/enquiry/", {"name": "x"})
    assert response.status_code in (200, 302, 400, 403)
    assert secondary.captured_queries == []
    assert replica.PIN_COOKIE not in response.cookies  # anonymous: no mark, no cookie


def test_a_staff_write_pins_their_reads_to_the_primary_for_a_while(client, with_replica, settings):
    settings.REPLICA_PIN_SECONDS = 30
    client.force_login(staff_user("replica-writer", provinces=["son-la"]))
    province = factories.province("son-la")
    response = client.post(
        "/admin/producers/producer/add/",
        {"name": "HTX Mận Hậu Mộc Châu", "kind": "cooperative", "province": province.pk, "source_url": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Producer.objects.get(name="HTX Mận Hậu Mộc Châu")
    cookie = response.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 30
    assert cookie["httponly"]

    response, on_primary, on_replica = queries(client, created.get_absolute_url())
    assert response.status_code == 200
    assert on_replica == []
    assert on_primary

    # Someone else (no mark) reads the same page from the replica.
    other = type(client)()
    response, on_primary, on_replica = queries(other, created.get_absolute_url())
    assert response.status_code == 200
    assert on_replica
    assert on_primary == []


def test_an_expired_or_forged_mark_is_ignored(client, with_replica, settings):
    producer = factories.producer()
    signer = signing.get_cookie_signer(salt=replica.PIN_COOKIE + replica.PIN_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(signing.time.time()) - settings.REPLICA_PIN_SECONDS - 5)
    for value in (signer.sign("1"), "1", "1:forged:signature"):
        client.cookies[replica.PIN_COOKIE] = value
        response, on_primary, on_replica = queries(client, producer.get_absolute_url())
        assert response.status_code == 200
        assert on_replica, value
        assert on_primary == [], value


def test_a_replica_that_is_down_leaves_the_primary_answering_and_opens_the_breaker(client, with_replica, tmp_path):
    with_replica(unusable_config(tmp_path))
    producer = factories.producer(name="HTX Gạo Séng Cù")
    for _ in range(3):
        response = client.get(producer.get_absolute_url())
        assert response.status_code == 200
        assert "HTX Gạo Séng Cù" in response.content.decode()
    # One failed attempt; the next requests skipped the replica without trying it.
    assert replica.breaker.trips == 1
    assert replica.breaker.is_open()

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["checks"]["database:replica"] == "error"
    assert health.json()["status"] == "degraded"


def test_the_replica_is_tried_again_after_the_pause(client, with_replica, settings):
    producer = factories.producer()
    replica.breaker.trip("test")
    response, on_primary, on_replica = queries(client, producer.get_absolute_url())
    assert response.status_code == 200
    assert on_replica == []
    replica.breaker.open_until = 1.0  # the pause is over
    response, on_primary, on_replica = queries(client, producer.get_absolute_url())
    assert response.status_code == 200
    assert on_replica
    assert not replica.breaker.is_open()
    assert replica.breaker.open_until == 0.0


def test_a_replica_failing_mid_request_is_answered_again_from_the_primary(with_replica, tmp_path):
    with_replica(tableless_config(tmp_path))
    producer = factories.producer(name="HTX Cà phê Mường Ảng")
    # As a server does: the first attempt's error is logged, not raised into the test.
    client = Client(raise_request_exception=False)
    response = client.get(producer.get_absolute_url())
    assert response.status_code == 200
    assert "HTX Cà phê Mường Ảng" in response.content.decode()
    assert replica.breaker.trips == 1


def test_lag_is_zero_on_a_database_that_is_not_a_standby(with_replica):
    assert replica.measure_lag(connections[replica.REPLICA]) == 0.0


def test_the_tables_kept_on_the_primary_are_named_by_their_real_app_labels():
    labels = {model._meta.app_label for model in apps.get_models()} | {"django_cache"}
    assert labels >= replica.PRIMARY_APPS
    router = replica.ReplicaRouter()
    token = replica._reads.set(replica.RequestReads(allowed=True, checked=True, usable=True))
    try:
        for model in apps.get_models():
            expected = "default" if model._meta.app_label in replica.PRIMARY_APPS else "replica"
            assert router.db_for_read(model) == expected, model
    finally:
        replica._reads.reset(token)


@pytest.mark.skipif(not django_settings.USING_POSTGRES, reason="a network replica: PostgreSQL runs only")
def test_a_replica_that_never_answers_costs_one_connect_timeout_then_is_skipped(client, with_replica):
    """A host that accepts the connection and says nothing (a hung server): libpq gives up after
    connect_timeout, the breaker opens, and the next requests do not try it."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        config = _caught_up_config()
        config.update(HOST="127.0.0.1", PORT=str(silent.getsockname()[1]), OPTIONS={"connect_timeout": 2})
        with_replica(config)
        producer = factories.producer(name="HTX Mật ong Bạc Hà")
        for _ in range(3):
            response = client.get(producer.get_absolute_url())
            assert response.status_code == 200
            assert "HTX Mật ong Bạc Hà" in response.content.decode()
        assert replica.breaker.trips == 1
    finally:
        silent.close()


def test_the_causal_check_asks_the_primary_for_its_position_only_on_postgresql(with_replica, settings):
    position = replica.primary_position()
    if settings.USING_POSTGRES:
        assert re.fullmatch(r"[0-9A-F]+/[0-9A-F]+", position)
        assert replica.replayed(position)  # the mirror is no standby: nothing to wait for
    else:
        assert position is None
    settings.REPLICA_CAUSAL = False
    assert replica.primary_position() is None
    assert replica.replayed(None)
