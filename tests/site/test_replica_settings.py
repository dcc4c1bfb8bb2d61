"""DATABASE_REPLICA_URL in the settings (ocop_catalogue/settings/replica.py): unset changes nothing; set
adds the alias, the router and the middleware; a replica without a PostgreSQL primary is refused."""

import copy

import environ
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ocop_catalogue.settings.replica import SESSION_MIDDLEWARE, replica_settings

PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "ocop", "CONN_MAX_AGE": 60}


def configure(monkeypatch, databases, **variables):
    for name in (
        "DATABASE_REPLICA_URL",
        "DJANGO_REPLICA_PIN_SECONDS",
        "DJANGO_REPLICA_MAX_LAG",
        "DJANGO_REPLICA_CAUSAL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    middleware = list(settings.MIDDLEWARE)
    return replica_settings(environ.Env(), databases, middleware), databases, middleware


@pytest.mark.skipif(bool(settings.DATABASE_REPLICA_URL), reason="this run has a replica configured")
def test_the_suite_runs_without_a_replica():
    assert set(settings.DATABASES) == {"default"}
    assert settings.DATABASE_ROUTERS == []
    assert "core.replica.ReplicaMiddleware" not in settings.MIDDLEWARE


def test_unset_leaves_one_database(monkeypatch):
    values, databases, middleware = configure(monkeypatch, {"default": dict(PRIMARY)})
    assert values["DATABASE_REPLICA_URL"] == ""
    assert "DATABASE_ROUTERS" not in values
    assert set(databases) == {"default"}
    assert middleware == list(settings.MIDDLEWARE)
    assert values["REPLICA_PIN_SECONDS"] == 30
    assert values["REPLICA_MAX_LAG"] == 10.0
    assert values["REPLICA_CAUSAL"] is True


def test_set_adds_the_alias_router_and_middleware(monkeypatch):
    values, databases, middleware = configure(
        monkeypatch,
        {"default": dict(PRIMARY)},
        DATABASE_REPLICA_URL="postgres://reader:secret@10.0.0.2:5432/ocop",
        DJANGO_REPLICA_PIN_SECONDS="45",
        DJANGO_REPLICA_MAX_LAG="0",
        DJANGO_REPLICA_CAUSAL="0",
    )
    replica = databases["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == ("10.0.0.2", "ocop", "reader")
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["CONN_MAX_AGE"] == 60
    assert replica["TEST"] == {"MIRROR": "default"}
    assert values["DATABASE_ROUTERS"] == ["core.replica.ReplicaRouter"]
    assert values["REPLICA_PIN_SECONDS"] == 45
    assert values["REPLICA_MAX_LAG"] == 0.0
    assert values["REPLICA_CAUSAL"] is False
    at = middleware.index("core.replica.ReplicaMiddleware")
    assert middleware[at + 1] == SESSION_MIDDLEWARE
    assert middleware.index("ocop_catalogue.middleware.ServiceUnavailableMiddleware") < at


def test_a_replica_of_sqlite_is_refused(monkeypatch):
    sqlite = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        configure(monkeypatch, copy.deepcopy(sqlite), DATABASE_REPLICA_URL="postgres://h/ocop")
