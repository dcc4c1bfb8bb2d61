"""Caching of catalogue pages and fragments under a catalogue version that every write bumps.

The version and the cached values live in the `catalogue` cache, which is shared by all workers and
hosts (Redis when CACHE_URL is set, else a database table), so no page is ever served stale after a
write, whichever process made the write. The version is bumped after the write commits: bumping
before would let a concurrent request cache pre-commit data under the new version.
"""

import contextlib
import hashlib
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from . import validity

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
# The apps whose rows public pages show; the trade app's (buyers' enquiries) leave every page as it was.
CATALOGUE_APPS = {"producers", "products", "certifications"}
DEFAULT_TIMEOUT = 60 * 60
PAGE_TIMEOUT = 10 * 60
# A value being built (get_or_build): how long the others wait for it, and how long its lock can outlive
# a builder that died.
BUILD_WAIT = 10
BUILD_LOCK_TIMEOUT = 30
CSRF_MARKER = b"__catalogue_csrf_token__"
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _cache():
    return caches["catalogue"]


def _warn(message):
    """Log a cache failure; with its traceback only when it is not the breaker's quick refusal (which
    would otherwise put one traceback per request in the log for the whole outage)."""
    from .redis_cache import CacheUnavailable

    logger.warning(message, exc_info=not isinstance(sys.exc_info()[1], CacheUnavailable))


def current_version() -> str:
    version = _cache().get(VERSION_KEY)
    if version is None:
        _cache().add(VERSION_KEY, _new_version(), None)
        version = _cache().get(VERSION_KEY)
    return version


def _new_version() -> str:
    # A value never used before (not a counter): two bumps at once cannot merge into one, and a
    # flushed or evicted key can never bring back an old version's cached pages.
    return uuid.uuid4().hex


def bump_version():
    try:
        _cache().set(VERSION_KEY, _new_version(), None)
    except Exception:  # a cache outage must not undo a committed write
        logger.error("Could not bump the catalogue cache version", exc_info=True)


_bumps_held: ContextVar[bool] = ContextVar("catalogue_bumps_held", default=False)


def bump_version_on_commit():
    if not _bumps_held.get():
        transaction.on_commit(bump_version)


@contextlib.contextmanager
def one_bump():
    """Within the block, writes register no bump of their own; one bump is registered at its end.

    For commands that write many rows in one transaction (load_demo): each bump is a write to the shared
    cache, and hundreds of them at commit would all say the same thing."""
    token = _bumps_held.set(True)
    try:
        yield
    finally:
        _bumps_held.reset(token)
    bump_version_on_commit()


def key_for(name: str, *parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"catalogue:{current_version()}:{name}:{digest}"


def enabled() -> bool:
    return settings.CATALOGUE_CACHE


def get_or_build(name: str, parts, builder, timeout=DEFAULT_TIMEOUT):
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
        key = key_for(name, *parts)
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
            _cache().set(key, value, timeout)
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


def model_changed(sender, **kwargs):
    """Signal receiver: any write to a catalogue model bumps the version once committed."""
    # Historical models of data migrations ("__fake__") are not the live catalogue.
    if sender._meta.app_label in CATALOGUE_APPS and sender.__module__ != "__fake__" and not kwargs.get("raw"):
        bump_version_on_commit()


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


def cache_public_page(view):
    """Serve a public page from the shared cache, keyed by path, language, day and catalogue version.

    Only for visitors without a session (staff and buyers with a shortlist get fresh pages), only GET
    answers 200 that set no cookie and change no session (a page with a message is never shared); a
    form's CSRF token is stored as a marker and each visitor gets their own token in its place. The
    day is in the key because statuses change at midnight.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not enabled() or request.method != "GET" or has_session(request):
            return view(request, *args, **kwargs)
        try:
            # Host and scheme too: pages embed absolute URLs (canonical, OpenGraph, JSON-LD).
            key = key_for(
                "page",
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                get_language(),
                validity.today().isoformat(),
            )
            cached = _cache().get(key)
        except Exception:  # noqa: BLE001 (logged by _warn); a cache outage degrades to uncached pages
            _warn("Page cache unavailable")
            return view(request, *args, **kwargs)
        if cached is not None:
            content, content_type = cached
            if CSRF_MARKER in content:
                # Each visitor gets a token of their own (and the cookie that goes with it).
                content = content.replace(CSRF_MARKER, get_token(request).encode())
            response = HttpResponse(content, content_type=content_type)
            response["X-Catalogue-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        session = getattr(request, "session", None)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not (session is not None and session.modified)
        ):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            # A form's CSRF token belongs to this visitor: the shared copy keeps a marker in its place.
            content = CSRF_FIELD.sub(rb"\1" + CSRF_MARKER + rb"\2", response.content)
            try:
                _cache().set(key, (content, response["Content-Type"]), PAGE_TIMEOUT)
                response["X-Catalogue-Cache"] = "miss"
            except Exception:  # noqa: BLE001 (logged by _warn)
                _warn("Page cache unavailable")
        return response

    return wrapper
