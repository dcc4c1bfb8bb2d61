"""Public reads from a PostgreSQL read replica (`DATABASE_REPLICA_URL`), everything else on the primary.

Installed by the settings only when `DATABASE_REPLICA_URL` is set: a database alias `replica`, the router
`ReplicaRouter` and the middleware `ReplicaMiddleware`. The middleware decides per request whether its
reads may go to the replica; the router only applies that decision, so whatever runs outside a request
(management commands, `db_worker`'s background tasks, migrations, the shell) stays on the primary.

A request may read from the replica when all of these hold:
- it is a GET or HEAD (any other method may write, and reads what it is about to change);
- its path is not under the admin (staff read what they keep);
- it carries no valid "read your writes" mark: a signed cookie that a logged-in user's write (any
  non-GET/HEAD request) sets, holding them on the primary for `REPLICA_PIN_SECONDS`;
- the replica answers: the first read of a request checks its connection; a failure opens a breaker
  (as core/redis_cache.py does for Redis) and every request reads from the primary for
  `REPLICA_BREAKER_SECONDS` before the replica is tried again;
- the replica is not further behind than `REPLICA_MAX_LAG` seconds (measured at most every
  `REPLICA_LAG_CHECK_SECONDS` per process, 0 turns the check off);
- with `REPLICA_CAUSAL` (on by default), the replica has replayed everything the primary had written when
  the request's first read came (`primary_position`, `replayed`).
Within such a request, writes still go to the primary, and so do reads inside a transaction of the
primary, reads after a write to the catalogue's own tables, and the tables whose staleness would break
a visitor (sessions, users, the login throttle, the database cache, background jobs). A replica that
fails in the middle of a request has its GET answered again from the primary: never an error page.
"""

import contextlib
import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    connections,
)
from django.db.backends.signals import connection_created
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "ocop_primary"
PIN_SALT = "core.replica.pin"
SAFE_METHODS = ("GET", "HEAD")
# Tables read on the primary whatever the request: a session or user just written must be found at once,
# the login throttle and the background jobs are written by the requests that read them, and the database
# cache holds the catalogue version.
PRIMARY_APPS = frozenset({"sessions", "auth", "axes", "django_cache", "django_tasks_database", "admin"})
# A replica that goes away (operational, interface) or has not replayed a migration yet (programming).
REPLICA_FAILURES = (OperationalError, InterfaceError, ProgrammingError)
CAUGHT_UP_SQL = "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn"
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


@dataclass
class RequestReads:
    """What one request may do with the replica, and what it did."""

    allowed: bool
    checked: bool = False  # the replica's connection was checked for this request
    usable: bool = False
    used: bool = False  # a read was sent to the replica
    failed: bool = False  # a query on the replica failed
    wrote: bool = False  # a catalogue table was written: the rest of the request reads the primary


_reads: ContextVar[RequestReads | None] = ContextVar("replica_reads", default=None)


class Breaker:
    """Skips the replica for `REPLICA_BREAKER_SECONDS` after a failure (per process)."""

    def __init__(self):
        self.open_until = 0.0
        self.trips = 0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, reason):
        pause = settings.REPLICA_BREAKER_SECONDS
        with self._lock:
            already_open = self.open_until > 0
            self.open_until = time.monotonic() + pause
            self.trips += 1
        log = logger.info if already_open else logger.error
        log("read replica unavailable (%s): reading from the primary for %.0f s", reason, pause)

    def close(self):
        if self.open_until:
            with self._lock:
                self.open_until = 0.0
            logger.warning("read replica answers again: public reads go back to it")


class LagGauge:
    """The replica's lag in seconds, measured on the replica itself and kept `REPLICA_LAG_CHECK_SECONDS`."""

    def __init__(self):
        self.value = 0.0
        self.checked_at = None
        self._lock = threading.Lock()

    def too_far_behind(self) -> bool:
        limit = settings.REPLICA_MAX_LAG
        if not limit:
            return False
        now = time.monotonic()
        with self._lock:
            fresh = self.checked_at is not None and now - self.checked_at < settings.REPLICA_LAG_CHECK_SECONDS
            if not fresh:
                self.checked_at = now
        if not fresh:
            self.value = measure_lag(connections[REPLICA])
            if self.value > limit:
                logger.warning("read replica %.1f s behind (limit %s s): reading from the primary", self.value, limit)
        return self.value > limit


def measure_lag(connection) -> float:
    """Seconds the replica's replay is behind what it has received; 0 on a primary or a non-PostgreSQL alias."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0] or 0)


def primary_position():
    """With `REPLICA_CAUSAL`, the primary's WAL position now (None without the check or off PostgreSQL).

    Every write committed before this moment (the staff member's own, and the one whose cache
    invalidation this request has seen) lies before it: a replica that has replayed up to it serves no
    page older than the cache version the page is stored under. One trivial query on each side per
    request that reads the database; a replica behind at that moment leaves the request on the primary.
    """
    primary = connections[DEFAULT_DB_ALIAS]
    if not settings.REPLICA_CAUSAL or primary.vendor != "postgresql" or connections[REPLICA].vendor != "postgresql":
        return None
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def replayed(position) -> bool:
    if position is None:
        return True
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(CAUGHT_UP_SQL, [position])
        return bool(cursor.fetchone()[0])


breaker = Breaker()
lag = LagGauge()


def reset():
    """Forget failures and lag (tests; a process that knows the replica is back)."""
    breaker.open_until = 0.0
    breaker.trips = 0
    lag.checked_at = None
    lag.value = 0.0


def read_from_replica() -> bool:
    """Whether the current request has read anything from the replica (for caches that care how fresh)."""
    state = _reads.get()
    return bool(state and state.used)


def _replica_usable(state: RequestReads) -> bool:
    """The first time a request would read from the replica: does it answer, and is it close enough?"""
    if not state.checked:
        state.checked = True
        if breaker.is_open():
            return False
        position = primary_position()  # outside the try: an error there is the primary's (its 503)
        try:
            connections[REPLICA].cursor().close()  # connects, or health-checks a kept connection
            state.usable = not lag.too_far_behind() and replayed(position)
        except DatabaseError as error:
            _forget_connection()
            breaker.trip(error.__class__.__name__)
            return False
        breaker.close()
    return state.usable and not breaker.is_open()


def _forget_connection():
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


class ReplicaRouter:
    """Sends reads to the replica only inside a request that `ReplicaMiddleware` allowed; writes never."""

    def db_for_read(self, model, **hints):
        state = _reads.get()
        if (
            state is None
            or not state.allowed
            or state.wrote
            or state.failed
            or model._meta.app_label in PRIMARY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
            or not _replica_usable(state)
        ):
            return DEFAULT_DB_ALIAS
        state.used = True
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None and model._meta.app_label not in PRIMARY_APPS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None} or None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None


def _watch_replica_queries(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except REPLICA_FAILURES as error:
        state = _reads.get()
        if state is not None:
            state.failed = True
        breaker.trip(error.__class__.__name__)
        raise


def _watch(sender, connection, **kwargs):
    if connection.alias == REPLICA and _watch_replica_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_replica_queries)


connection_created.connect(_watch, dispatch_uid="core.replica.watch")


def _admin_prefix():
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/admin/"


class ReplicaMiddleware:
    """Decides per request whether public reads may use the replica; sets the read-your-writes mark.

    Place it inside the middleware that turns a database outage into a 503 and before the session
    middleware, so that every read of the request is routed by its decision.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        state = RequestReads(allowed=self.may_read_replica(request))
        token = _reads.set(state)
        try:
            response = self.get_response(request)
            if state.failed and state.used and response.status_code >= 500:
                # The replica failed mid-request (its breaker is now open): answer again from the primary.
                logger.warning("read replica failed during %s: answered from the primary", request.path[:200])
                state.allowed = False
                response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS and _logged_in(request):
            pin = settings.REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=pin,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def may_read_replica(self, request) -> bool:
        if request.method not in SAFE_METHODS:
            return False
        if self.admin_prefix is None:
            self.admin_prefix = _admin_prefix()
        if request.path.startswith(self.admin_prefix):
            return False
        if PIN_COOKIE in request.COOKIES:
            pinned = request.get_signed_cookie(
                PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
            )
            return pinned is None
        return True


def _logged_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
