"""Large values built from the catalogue, kept in each process and shared between processes through the cache.

`core.cache.get_or_build` suits small values: every request reads them from the cache. The search index
(products/search_index.py) weighs megabytes to a hundred megabytes: each process keeps its own copy in
memory and asks the cache only whether a newer copy exists (at most once a second).

A copy is current while the catalogue has not changed since it was built (`core.cache.change_marker`,
moved by every write, whichever pages it cools). After a write it is still served until it is `max_age`
seconds old: CATALOGUE_NATIONAL_SECONDS (the delay the site promises for lists and facets), or ten times
what its build took when that is longer, up to twice that delay (a catalogue so big that a build takes
seconds is not rebuilt more often than it can afford). Then the first process to notice takes a lock in
the cache and rebuilds it in a thread while its requests go on with the old copy; the new copy goes under
one fixed key (it replaces the old one), and the other processes, which kept serving theirs meanwhile,
load it. So a write every few seconds costs one build per `max_age` for the whole site, never a request
that waits for one, except a process's very first.

A copy may have a fingerprint: a cheap summary of exactly the rows its value is built from (one
aggregate query where the build reads and processes every row). Before rebuilding, the process compares it
with the copy's: when they are equal (the writes since touched nothing the value holds: a product's
description, a producer's phone number, a save that changed nothing) the copy is marked current instead of
rebuilt, and the other processes learn it from the shared meta without loading anything. A build reads its
fingerprint and its rows in one snapshot (a REPEATABLE READ transaction on PostgreSQL), so the fingerprint
describes exactly the rows the value holds.

A copy too big to move through the cache within its timeout (SHARE_LIMIT) is shared through a file in
PROCESS_COPY_DIR (`DJANGO_PROCESS_COPY_DIR`, default var/copies) that the meta names: the processes of the
same host map its arrays (core/mapped_pickles.py); another host's processes build their own. After a
restart (of the workers or of the cache) the first process checks the file's fingerprint before building.

Without a cache (DJANGO_CATALOGUE_CACHE=0: tests, profiling) the value is built for every use; with the
cache unreachable, each process keeps its own copy and rebuilds it when it is `max_age` old: slower, never
an error.
"""

import contextlib
import logging
import pickle
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connections

from core import cache as catalogue_cache
from core import mapped_pickles
from core.snapshots import snapshot

logger = logging.getLogger(__name__)

# A process that has just looked at the cache serves its copy without looking again for this long.
RECHECK_SECONDS = 1.0
# How long a process without any copy waits for another one's build before building its own.
BUILD_WAIT = 30.0
BUILD_LOCK_TIMEOUT = 120
# A copy is rebuilt after a write no sooner than this many times its last build took, up to this many
# times the configured age (see max_age).
BUILD_FACTOR = 10
MAX_AGE_FACTOR = 2
# Copies bigger than this (pickled) go through a file on the host instead of the cache: moving them through
# Redis would outlast the cache's socket timeout and trip its circuit breaker (core/redis_cache.py).
SHARE_LIMIT = 48 * 1024 * 1024


class Copy(NamedTuple):
    token: str  # which build: the same token in two processes means the same value
    version: str | None  # the catalogue's change marker when it was built (None: unknown, the cache was down)
    tag: str  # what else the value depends on (the day): a copy of another tag is never served
    built_at: float  # time.time() when its build started (the data is at least this recent)
    value: Any
    fingerprint: Any = None  # the fingerprint of the rows it was built from (None: none, always rebuilt)


_ALL = weakref.WeakSet()


def forget_all():
    """Drop every process copy (tests: a copy built over one test's rows must not serve the next)."""
    for copy in _ALL:
        copy.forget()


class ProcessCopy:
    def __init__(
        self, name: str, builder: Callable[[], Any], max_age: float | None = None, fingerprinter: Callable | None = None
    ):
        _ALL.add(self)
        self.name = name
        self.builder = builder
        self.fingerprinter = fingerprinter  # () -> a value equal for equal rows, or None when it cannot tell
        self._max_age = max_age
        self.held: Copy | None = None
        self.checked_at = 0.0
        self.builds = 0  # builds by this process (tests and the benchmark read it)
        self.revalidations = 0  # copies found current by their fingerprint instead of rebuilt
        self.build_seconds = 0.0  # how long the last one took
        self.rebuilding: threading.Thread | None = None
        self._guard = threading.Lock()  # one rebuild thread at a time; `held` only moves forward
        self._lock_token = None  # the value of the build lock this process holds, if any
        # False: a rebuild runs in the calling thread (the test suite: another thread's database
        # connection would not see the test's own transaction).
        self.background = True
        self.behind = False  # whether the last get() served a copy older than the catalogue's last write

    @property
    def max_age(self) -> float:
        """How old a copy behind the catalogue may be served: the configured age, or BUILD_FACTOR times what
        a build costs when that is more (a big catalogue is not rebuilt more often than it can afford), but
        never more than twice the configured age."""
        configured = self._max_age if self._max_age is not None else settings.CATALOGUE_NATIONAL_SECONDS
        return max(configured, min(BUILD_FACTOR * self.build_seconds, MAX_AGE_FACTOR * configured))

    @property
    def meta_key(self):
        return f"catalogue:copy:{self.name}:meta"

    @property
    def lock_key(self):
        return f"catalogue:copy:{self.name}:building"

    @property
    def value_key(self):
        return f"catalogue:copy:{self.name}:value"

    def get(self, tag: str = "", wait: bool = True):
        """The value. A process holding no copy yet builds one or waits for another process's build;
        with `wait=False` it gets None instead while the copy is built in a thread (the caller has a
        slower way of its own: a build can outlast a request's timeout on a big catalogue)."""
        if not catalogue_cache.enabled() and settings.TESTING:
            return self._build(None, tag, fingerprinted=False).value  # the suite: every use sees its own rows
        now = time.time()
        held = self.held if self.held is not None and self.held.tag == tag else None
        if time.monotonic() - self.checked_at < RECHECK_SECONDS and (held is not None or not wait):
            return held.value if held is not None else None
        version, copy, fresh, owner = self._current(held, tag, now, wait)
        self.checked_at = time.monotonic()
        if not fresh:
            copy = self._replace(copy, version, tag, owner, wait)
            if copy is None:
                return None
        self._hold(copy)
        # Served behind the catalogue (a write since its build): what is built from it may be kept only
        # until the copy itself would have been replaced (see fresh_for).
        self.behind = version is not None and copy.version != version
        return copy.value

    def _current(self, held, tag, now, wait):
        """(change marker or None, the copy to serve or None, whether it is current, whether this process
        builds the next one), from the shared cache; with the cache off or out, this process's own copy."""
        try:
            if not catalogue_cache.enabled():
                raise CacheOff("the catalogue cache is off")
            return self._look(held, tag, now, wait)
        except Exception as error:  # noqa: BLE001 (a cache outage: the process's own copy, logged)
            if not isinstance(error, CacheOff):
                logger.warning("Catalogue cache unavailable (%s): %s kept in this process", error, self.name)
            # No lock to share: this process builds its own.
            return None, held, held is not None and now - held.built_at < self.max_age, True

    def _replace(self, copy, version, tag, owner, wait):
        """The copy to serve when `copy` is not current: `copy` itself while the next one is built in the
        background, the new one when this call has to build it, or None (nothing yet, and not waiting)."""
        if copy is None and wait:
            return self._build_and_share(version, tag, owner)
        if owner:
            self._rebuild_in_background(version, tag, owner, copy)
            if not self.background and self.held is not None and self.held.tag == tag:
                return self.held  # built already, in this thread
        return copy  # the copy at hand is served until the new one is ready (None: none yet)

    def fresh_for(self) -> float | None:
        """Seconds for which what the last get() served may still be kept elsewhere (a cached page built
        from it) without lagging the catalogue by more than max_age; None when that copy was current."""
        held = self.held
        if not self.behind or held is None:
            return None
        return max(0.0, held.built_at + self.max_age - time.time())

    def _hold(self, copy):
        """Keep `copy` unless this process already holds a newer one of the same tag (a rebuild thread may
        have finished while a request was serving the older copy)."""
        with self._guard:
            current = self.held
            if current is None or current.tag != copy.tag or copy.built_at >= current.built_at:
                self.held = copy

    def _rebuild_in_background(self, version, tag, owner, previous=None):
        """Build the new copy in a thread of this process (the request goes on with the copy it has)."""
        if not self.background:
            self._hold(self._build_and_share(version, tag, owner, previous))
            return
        with self._guard:
            if self.rebuilding is not None and self.rebuilding.is_alive():
                self._release_lock(owner)  # the lock came free as the last rebuild ended: let it go again
                return

            def rebuild():
                try:
                    self._hold(self._build_and_share(version, tag, owner, previous))
                except Exception:
                    logger.exception("Could not rebuild %s: the previous copy stays", self.name)
                finally:
                    connections.close_all()  # this thread's own database connections

            self.rebuilding = threading.Thread(target=rebuild, name=f"rebuild {self.name}", daemon=True)
            self.rebuilding.start()

    def _usable(self, copy, version, tag, now):
        return copy is not None and copy.tag == tag and (copy.version == version or now - copy.built_at < self.max_age)

    def _look(self, held, tag, now, wait=True):
        """(change marker, the copy to serve or None, whether it is current, whether this process holds the
        build lock). A copy behind the catalogue is served while one process builds the next: the newest
        one at hand, this process's or the one another process shared."""
        version = catalogue_cache.change_marker()
        if self._usable(held, version, tag, now):
            return version, held, True, False
        cache = catalogue_cache._cache()
        meta = cache.get(self.meta_key)
        if held is not None and meta is not None and meta[0] == held.token and meta[1] == version:
            # Another process found this very copy current (its fingerprint): nothing to load.
            return version, _as_meta_says(held, meta), True, False
        if self._newer(meta, held, tag):
            stored = self._load(tag, meta)
            if self._usable(stored, version, tag, now):
                return version, stored, True, False
            if stored is not None and (held is None or stored.built_at > held.built_at):
                held = stored
        token = uuid.uuid4().hex
        if cache.add(self.lock_key, token, BUILD_LOCK_TIMEOUT):
            self._lock_token = token
            return version, held, False, True
        if held is not None or not wait:
            return version, held, False, False  # another process is building
        deadline = time.monotonic() + BUILD_WAIT
        while time.monotonic() < deadline and cache.get(self.lock_key) is not None:
            time.sleep(0.05)
        stored = self._load(tag, cache.get(self.meta_key))
        if self._usable(stored, version, tag, now):
            return version, stored, True, False
        return version, None, False, False

    @staticmethod
    def _newer(meta, held, tag):
        """Whether the shared meta names a copy of `tag` other than the one held (worth loading)."""
        return meta is not None and meta[4] == tag and (held is None or meta[0] != held.token)

    def _release_lock(self, owner):
        """Give back the build lock if this process still holds it (never another process's)."""
        if not owner:
            return
        token, self._lock_token = self._lock_token, None
        with contextlib.suppress(Exception):
            cache = catalogue_cache._cache()
            if token is not None and cache.get(self.lock_key) == token:
                cache.delete(self.lock_key)

    def _build_and_share(self, version, tag, owner, previous=None):
        try:
            if previous is None and self.fingerprinter is not None:
                previous = self._from_file(tag)  # a restart: the rows may not have changed since
            copy = self._revalidated(previous, version, tag)
            share = self._share_version if copy is not None else self._share
            if copy is None:
                copy = self._build(version, tag)
            if owner and version is not None:
                try:
                    share(copy)
                except Exception as error:  # noqa: BLE001 (logged; the copy still serves this process)
                    logger.warning("Catalogue cache unavailable (%s): %s not shared", error, self.name)
        finally:
            self._release_lock(owner)
        return copy

    def _share_version(self, copy):
        """Tell the other processes that the copy the meta names is current as of `copy` (found current again
        by its fingerprint): only the meta's version and time move, if the meta still names that copy. When
        the cache has lost it (a restart of Redis, an eviction), the copy is shared whole again: else every
        worker started since would build its own (each worker is recycled every GUNICORN_MAX_REQUESTS)."""
        cache = catalogue_cache._cache()
        meta = cache.get(self.meta_key)
        if meta is None:
            self._share(copy)
        elif meta[0] == copy.token:
            cache.set(self.meta_key, (copy.token, copy.version, copy.built_at, meta[3], copy.tag), None)

    def _share(self, copy):
        """Store the copy for the other processes: in the cache, or, when it is too big to move through the
        cache in one request, in a file of this host's (PROCESS_COPY_DIR) that the meta names."""
        cache = catalogue_cache._cache()
        stream, buffers = mapped_pickles.dumps(copy)
        path = None
        if mapped_pickles.size(stream, buffers) <= SHARE_LIMIT:
            cache.set(self.value_key, pickle.dumps(copy, protocol=pickle.HIGHEST_PROTOCOL), None)
        else:
            cache.delete(self.value_key)
            held = self._from_file(copy.tag, copy.token) is not None  # found current again: not written twice
            path = str(self._file) if held else self._write_file(stream, buffers)
        meta = (copy.token, copy.version, copy.built_at, path and (socket.gethostname(), path), copy.tag)
        cache.set(self.meta_key, meta, None)

    def _write_file(self, stream, buffers):
        """Write the copy to its file, whole or not at all (a reader maps the old file or the new one)."""
        try:
            mapped_pickles.write_file(self._file, stream, buffers)
        except OSError as error:
            logger.warning("Could not write %s to %s (%s): each process builds its own", self.name, self._file, error)
            return None
        return str(self._file)

    @property
    def _file(self):
        return Path(settings.PROCESS_COPY_DIR) / f"{self.name}.pickle"

    def _from_file(self, tag, token=None):
        """The copy of `tag` (and `token`) in this host's file, written before the cache or the workers were
        restarted: a process without a copy checks its fingerprint before building one (see _build_and_share)."""
        try:
            stored = mapped_pickles.load(self._file)
        except Exception:  # noqa: BLE001 (none, unreadable, another version's: built instead)
            return None
        if not isinstance(stored, Copy) or stored.tag != tag or token not in (None, stored.token):
            return None
        return stored

    def _load(self, tag, meta):
        """The copy another process shared for `tag` (named by `meta`), or None."""
        if meta is None or meta[4] != tag:
            return None
        try:
            stored = self._stored(meta)
        except Exception:  # written by another version of the code: built again
            logger.info("Shared %s unreadable: built again", self.name, exc_info=True)
            return None
        if not isinstance(stored, Copy) or stored.tag != tag:
            return None
        return _as_meta_says(stored, meta) if stored.token == meta[0] else stored

    def _stored(self, meta):
        data = catalogue_cache._cache().get(self.value_key)
        if data is not None:
            return pickle.loads(data)  # noqa: S301 (written by _share, above)
        if meta[3] is None or meta[3][0] != socket.gethostname():
            return None  # another host's file is not this host's: this process builds its own
        try:
            return mapped_pickles.load(meta[3][1])
        except OSError:
            return None

    def _build(self, version, tag, fingerprinted=True):
        started = time.time()
        fingerprinted = fingerprinted and self.fingerprinter is not None
        with snapshot() if fingerprinted else contextlib.nullcontext():  # the fingerprint of the rows read
            fingerprint = self._fingerprint() if fingerprinted else None
            value = self.builder()
        self.builds += 1
        self.build_seconds = time.time() - started
        return Copy(uuid.uuid4().hex, version, tag, started, value, fingerprint)

    def _fingerprint(self):
        if self.fingerprinter is None:
            return None
        try:
            return self.fingerprinter()
        except Exception:
            logger.warning("Could not read the fingerprint of %s: rebuilt", self.name, exc_info=True)
            return None

    def _revalidated(self, previous, version, tag):
        """`previous` marked current as of now when the rows it was built from are unchanged; else None."""
        if previous is None or previous.fingerprint is None or previous.tag != tag:
            return None
        started = time.time()
        if self._fingerprint() != previous.fingerprint:
            return None
        self.revalidations += 1
        return previous._replace(version=version, built_at=started)

    def forget(self):
        """Drop this process's copy (tests)."""
        self.held = None
        self.checked_at = 0.0


def _as_meta_says(copy, meta):
    """`copy`, which the shared meta names, with the meta's version and time: it may have been found current
    again (its fingerprint) since it was built or stored."""
    return copy._replace(version=meta[1], built_at=meta[2])


class CacheOff(Exception):
    """The catalogue cache is switched off: each process keeps its own copy."""
