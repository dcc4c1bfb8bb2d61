"""The read replica's settings (README "Read replica"; the machinery is core/replica.py).

Unset `DATABASE_REPLICA_URL`: one database, no router, no middleware, as without this module.
"""

from django.core.exceptions import ImproperlyConfigured

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"


def replica_settings(env, databases, middleware):
    """The replica's settings; with a replica, also adds its alias to `databases` and its middleware."""
    url = env.str("DATABASE_REPLICA_URL", default="")
    values = {
        "DATABASE_REPLICA_URL": url,
        # A logged-in user's reads stay on the primary this long after each of their writes.
        "REPLICA_PIN_SECONDS": env.int("DJANGO_REPLICA_PIN_SECONDS", default=30),
        "REPLICA_BREAKER_SECONDS": env.float("DJANGO_REPLICA_BREAKER_SECONDS", default=30.0),
        "REPLICA_MAX_LAG": env.float("DJANGO_REPLICA_MAX_LAG", default=10.0),
        "REPLICA_LAG_CHECK_SECONDS": env.float("DJANGO_REPLICA_LAG_CHECK_SECONDS", default=5.0),
        # Read the replica only once it has replayed what the primary had written when the request began.
        "REPLICA_CAUSAL": env.bool("DJANGO_REPLICA_CAUSAL", default=True),
    }
    if not url:
        return values
    default = databases["default"]
    if not default["ENGINE"].endswith(("postgresql", "postgis")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: the replica follows a PostgreSQL primary.")
    replica = databases["replica"] = env.db_url_config(url)
    replica.setdefault("CONN_MAX_AGE", default["CONN_MAX_AGE"])
    replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer costs one request this long, then the breaker skips it.
    replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DJANGO_REPLICA_CONNECT_TIMEOUT", default=2)
    )
    # The test suite run with a replica configured reads its one test database through both aliases.
    replica["TEST"] = {"MIRROR": "default"}
    # Inside the 503 middleware (a replica failing mid-request is answered again from the primary) and
    # before the session middleware (its reads follow the request's decision too).
    middleware.insert(middleware.index(SESSION_MIDDLEWARE), "core.replica.ReplicaMiddleware")
    values["DATABASE_ROUTERS"] = ["core.replica.ReplicaRouter"]
    return values
