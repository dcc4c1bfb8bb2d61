"""Caching of catalogue pages and fragments under the versions of what they show.

Every entry carries the version of the whole catalogue (scope `all`) and of its scopes (`product:<slug>`,
`producer:<slug>`, `province:<slug>`, `certificate:<id>`, `register`: the verify page), in its key
(`key_for`) or, for whole pages, stored with it (`get_stamped`: the versions and the page in one read). A
write bumps the scopes it touches (each app registers, per model, the function that names them:
`register_scopes`), so the pages of what it changed are rebuilt at once and the rest of the catalogue
stays cached: a product saved in Sơn La leaves Quảng Ninh's pages as they were. Entries over the whole
catalogue (home, national lists, searches, facet counts) carry no scope that one write could name: they
live CATALOGUE_NATIONAL_SECONDS instead.

Versions and values live in the `catalogue` cache, shared by all workers and hosts (Redis when CACHE_URL
is set, else a database table). Versions are bumped after the write commits: bumping before would let a
concurrent request cache pre-commit data under the new version.
"""

import contextlib
import hashlib
import logging
import sys
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
# The scope every key carries: bumping it empties the whole cache (restore, bulk commands).
ALL = "all"
CHANGED = "changed"
# The apps whose rows public pages show; the trade app's (buyers' enquiries) leave every page as it was.
CATALOGUE_APPS = {"producers", "products", "certifications"}
DEFAULT_TIMEOUT = 60 * 60
PAGE_TIMEOUT = 10 * 60
# A value being built (get_or_build): how long the others wait for it, and how long its lock can outlive
# a builder that died.
BUILD_WAIT = 10
BUILD_LOCK_TIMEOUT = 30


def _cache():
    return caches["catalogue"]


def _warn(message):
    """Log a cache failure; with its traceback only when it is not the breaker's quick refusal (which
    would otherwise put one traceback per request in the log for the whole outage)."""
    from .redis_cache import CacheUnavailable

    logger.warning(message, exc_info=not isinstance(sys.exc_info()[1], CacheUnavailable))


def _scope_key(scope: str) -> str:
    return VERSION_KEY if scope == ALL else f"{VERSION_KEY}:{scope}"


def change_marker() -> str:
    """A value that changes with every write to the catalogue, whatever it touches."""
    return versions((CHANGED,))


def current_version() -> str:
    """The version of the whole catalogue (the `all` scope), which every key carries."""
    return versions(())


def versions(scopes) -> str:
    """The versions of `all` and of `scopes`, joined: one round trip to the cache.

    A scope whose key is missing (never bumped, flushed or evicted) gets a new version, never an old
    one back, so a lost key can only make entries miss, never serve stale ones.
    """
    return _versions_and(scopes, ())[0]


def _versions_and(scopes, keys):
    """(versions(scopes), {key: value} of those of `keys` the cache holds), read in the same round trip."""
    version_keys = [VERSION_KEY, *(_scope_key(scope) for scope in scopes)]
    seen = _seen.get()
    if seen is not None and all(key in seen for key in version_keys):
        found = _cache().get_many(keys) if keys else {}
        found.update((key, seen[key]) for key in version_keys)
    else:
        found = _cache().get_many([*version_keys, *keys])
        missing = [key for key in version_keys if key not in found]
        for key in missing:
            _cache().add(key, _new_version(), None)
        if missing:
            found.update(_cache().get_many(missing))
        if seen is not None:
            seen.update((key, found[key]) for key in version_keys)
    return ".".join(found[key] for key in version_keys), {key: found[key] for key in keys if key in found}


# The versions a request has read, while it runs (versions_read_once): a list page asked for `all` three
# times (the page's key, the filters' kept choices) and each was a round trip to the shared cache.
_seen: ContextVar[dict | None] = ContextVar("catalogue_versions_seen", default=None)


@contextlib.contextmanager
def versions_read_once():
    """Within the block (one request), each version is read from the shared cache once: the request
    sees the catalogue as of its first read, as if it had run that much earlier. A bump in the block
    forgets what was read, so the request's own writes are seen."""
    token = _seen.set({})
    try:
        yield
    finally:
        _seen.reset(token)


def _new_version() -> str:
    # A value never used before (not a counter): two bumps at once cannot merge into one, and a
    # flushed or evicted key can never bring back an old version's cached pages.
    return uuid.uuid4().hex


def bump(*scopes):
    """New versions for `scopes` (`all` when none): the entries keyed under the old ones are dead. The
    `changed` marker moves with every bump: what is built over the whole catalogue and kept until the
    catalogue changes at all (core/process_copies.py) reads it."""
    seen = _seen.get()
    if seen is not None:
        seen.clear()
    try:
        _cache().set_many({_scope_key(scope): _new_version() for scope in (*(scopes or (ALL,)), CHANGED)}, None)
    except Exception:  # a cache outage must not undo a committed write
        logger.error("Could not bump the catalogue cache version", exc_info=True)


def bump_version():
    """A new version of the whole catalogue: every cached page and fragment is dead."""
    bump(ALL)


_bumps_held: ContextVar[bool] = ContextVar("catalogue_bumps_held", default=False)


def bump_on_commit(scopes):
    """Bump `scopes` once the current transaction commits (at once outside one)."""
    if not _bumps_held.get():
        scopes = tuple(scopes)
        transaction.on_commit(lambda: bump(*scopes))


def bump_version_on_commit():
    bump_on_commit((ALL,))


@contextlib.contextmanager
def one_bump():
    """Within the block, writes register no bump of their own; one bump of the whole catalogue is
    registered at its end.

    For commands that write many rows in one transaction (load_demo): each bump is a write to the shared
    cache, and hundreds of them at commit would all say the same thing."""
    token = _bumps_held.set(True)
    try:
        yield
    finally:
        _bumps_held.reset(token)
    bump_version_on_commit()


def _key(name: str, value) -> str:
    return f"catalogue:{name}:{hashlib.sha256(repr(value).encode()).hexdigest()[:40]}"


def key_for(name: str, *parts, scopes=()) -> str:
    return _key(name, (versions(scopes), parts))


def get_stamped(name: str, parts, scopes=()):
    """(key, versions, value) of an entry stored by `set_stamped`: `value` when it was stored under the
    current versions of `scopes`, else None. The versions and the entry in one round trip, where `key_for`
    needs the versions first to name the key (a page served from the cache: two round trips). A version
    made anew (its key was missing) has nothing stored under it."""
    key = _key(name, parts)
    stamp, found = _versions_and(scopes, [key])
    stored = found.get(key)
    return key, stamp, stored[1] if stored is not None and stored[0] == stamp else None


def set_stamped(key: str, stamp: str, value, timeout):
    """Store `value` under `key` (from get_stamped) for the versions `stamp` it was built under."""
    _cache().set(key, (stamp, value), timeout)


def enabled() -> bool:
    return settings.CATALOGUE_CACHE


_kept: dict = {}


def kept_in_process(name: str, build):
    """`build()`, kept in this process until the whole catalogue's version (`all`) moves.

    For the small tables that no scope names, so that any write to them bumps `all`: provinces,
    categories, groups (the choices of every list's filters). One cache round trip instead of their
    queries; built every time with the catalogue cache off, or when the cache does not answer. The value
    is shared by the process's requests: read it, never change it.
    """
    if not enabled():
        return build()
    try:
        version = current_version()
    except Exception:  # noqa: BLE001 (logged by _warn)
        _warn(f"Catalogue cache unavailable: {name} built without it")
        return build()
    held = _kept.get(name)
    if held is not None and held[0] == version:
        return held[1]
    value = build()
    _kept[name] = (version, value)
    return value


def timeout_for(scopes, timeout=DEFAULT_TIMEOUT, national=False):
    """Entries under scopes that writes bump live `timeout`; entries over the whole catalogue (no scope:
    no single write can name them), or that also show figures over it (`national`), live
    CATALOGUE_NATIONAL_SECONDS at most, the delay the site promises for them."""
    if scopes and not national:
        return timeout
    return min(timeout, settings.CATALOGUE_NATIONAL_SECONDS)


def get_or_build(name: str, parts, builder, timeout=DEFAULT_TIMEOUT, scopes=(), national=False):
    """The cached value for (name, parts) at the current catalogue version, built on a miss.

    Every write bumps the version, so right after one every worker misses at once. Only one of them
    builds (the one that takes the build lock, shared through the cache); the others wait for its value,
    and build it themselves if the builder gives up (its lock goes without a value: it failed) or has not
    finished within BUILD_WAIT seconds (it died, or is slower than that). A cache outage degrades to
    building the value every time, never to an error page.
    """
    if not enabled():
        return builder()
    try:
        key = key_for(name, *parts, scopes=scopes)
        value = _cache().get(key)
    except Exception:  # noqa: BLE001 (logged by _warn)
        _warn("Catalogue cache unavailable")
        return builder()
    if value is not None:
        return value
    lock = key + ":building"
    token = uuid.uuid4().hex
    try:
        owner = _cache().add(lock, token, BUILD_LOCK_TIMEOUT)
        # Another process may have stored the value between the miss and the lock.
        value = _cache().get(key) if owner else _wait_for(key, lock)
    except Exception:  # noqa: BLE001 (logged by _warn)
        _warn("Catalogue cache unavailable")
        return builder()
    if value is not None:
        if owner:
            _release(lock, token)
        return value
    try:
        value = builder()
        try:
            _cache().set(key, value, timeout_for(scopes, timeout, national))
        except Exception:  # noqa: BLE001 (logged by _warn)
            _warn("Catalogue cache unavailable")
    finally:
        if owner:
            _release(lock, token)
    return value


def _wait_for(key, lock):
    """The value another process is building under `key`; None once its lock is gone without a value
    (the build failed) or after BUILD_WAIT seconds."""
    deadline = time.monotonic() + BUILD_WAIT
    pause = 0.01
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
        found = _cache().get_many([key, lock])
        if found.get(key) is not None:
            return found[key]
        if lock not in found:
            return _cache().get(key)  # stored just before the lock went, or nothing: build
    return None


def _release(lock, token):
    """Delete the build lock if it is still ours (a build slower than the lock's expiry lost it)."""
    with contextlib.suppress(Exception):
        if _cache().get(lock) == token:
            _cache().delete(lock)


# The scopes a write to a model touches: model -> function(instance) -> iterable of scope names. Each app
# registers its models (AppConfig.ready); a catalogue model without a function bumps the whole catalogue.
SCOPES_OF = {}


def register_scopes(model, scopes_of):
    SCOPES_OF[model] = scopes_of


def scopes_of(instance):
    """The scopes a write to `instance` touches; `all` when unknown or when they cannot be worked out."""
    function = SCOPES_OF.get(type(instance))
    if function is None:
        return (ALL,)
    try:
        scopes = function(instance)
        return (ALL,) if scopes is None else tuple(scopes)
    except Exception:
        logger.info("Scopes of %r unknown: bumping the whole catalogue", instance, exc_info=True)
        return (ALL,)


def model_changed(sender, instance=None, **kwargs):
    """Signal receiver: a write to a catalogue model bumps the scopes it touches once committed."""
    # Historical models of data migrations ("__fake__") are not the live catalogue, nor are the change
    # history's rows (django-simple-history's models carry `instance_type`).
    if (
        sender._meta.app_label in CATALOGUE_APPS
        and sender.__module__ != "__fake__"
        and not hasattr(sender, "instance_type")
        and not kwargs.get("raw")
        and not _bumps_held.get()
    ):
        scopes = scopes_of(instance)
        if scopes:
            bump_on_commit(scopes)


def has_session(request) -> bool:
    """Whether the visitor has a real session: a cookie naming one that exists, not any cookie of that
    name (a made-up one would let anybody skip the cache and hit the database with every request)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    if session is None:
        return True
    try:
        session.keys()  # loads it; a key that names no session is dropped (session_key becomes None)
    except Exception:  # noqa: BLE001 (logged by _warn); a session store outage: no shared page for someone who may be signed in
        _warn("Session store unavailable")
        return True
    return session.session_key is not None
