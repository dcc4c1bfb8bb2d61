"""Django's Redis cache backend with a circuit breaker, keeping one Redis client per connection pool.

A Redis that is down or hung must cost a request at most one timeout (DJANGO_CACHE_TIMEOUT, 0.25 s by
default), not every request one: the first operation that fails on a connection error or a timeout
opens the breaker of that Redis server for DJANGO_CACHE_BREAKER_SECONDS (30 s by default), and until then
every operation fails at once with `CacheUnavailable`, without touching the network. After the pause the
next operation tries again: success closes the breaker, failure opens it for another pause. Callers
already treat a cache error as a miss (core/cache.py, core/sessions.py). The breaker is per process
(each gunicorn worker pays one timeout per pause at most).

Django's RedisCacheClient.get_client() builds a new `redis.Redis` for every cache operation, and each one
fills a table of about 170 response callbacks: measured here at ~0.2 ms an operation, about a fifth of
what a page served from the cache cost (then two operations: the catalogue version, then the page; now one). A
`redis.Redis` is safe to share (its connections come from the pool), and Django makes one cache object
per thread anyway, so one client per pool is kept and reused.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends import redis as django_redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")


class CacheUnavailable(RedisConnectionError):
    """Raised at once while the breaker of a Redis server is open."""


class CircuitBreaker:
    def __init__(self, name):
        self.name = name
        self.open_until = 0.0
        self.trips = 0
        self._lock = threading.Lock()

    @property
    def pause(self) -> float:
        return getattr(settings, "CACHE_BREAKER_SECONDS", 30.0)

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error):
        with self._lock:
            already_open = self.open_until > 0
            self.open_until = time.monotonic() + self.pause
            self.trips += 1
        log = logger.info if already_open else logger.error
        log("Redis %s unavailable (%s): cache skipped for %.0f s", self.name, error.__class__.__name__, self.pause)

    def close(self):
        if self.open_until:
            with self._lock:
                self.open_until = 0.0
            logger.warning("Redis %s answers again: cache back in use", self.name)


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location) -> CircuitBreaker:
    name = ",".join(location) if isinstance(location, list | tuple) else str(location)
    with _breakers_lock:
        return _breakers.setdefault(name, CircuitBreaker(name))


def reset_breakers():
    """Close every breaker (tests; a process that knows Redis is back)."""
    with _breakers_lock:
        _breakers.clear()


def _guarded(name):
    def operation(self, *args, **kwargs):
        breaker = self.breaker
        if breaker.is_open():
            raise CacheUnavailable(f"Redis {breaker.name}: breaker open")
        try:
            result = getattr(super(BreakerRedisCacheClient, self), name)(*args, **kwargs)
        except OUTAGE_ERRORS as error:
            breaker.trip(error)
            raise
        breaker.close()
        return result

    operation.__name__ = name
    return operation


class BreakerRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        # No retries inside redis-py: one timeout is what an operation may cost, and the breaker decides.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(servers, **options)
        self._clients = {}
        self.breaker = breaker_for(servers)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    for _name in OPERATIONS:
        locals()[_name] = _guarded(_name)
    del _name


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = BreakerRedisCacheClient
