"""Caching of catalogue pages and fragments under a catalogue version that every write bumps.

The version and the cached values live in the `catalogue` cache, which is shared by all workers and
hosts (Redis when CACHE_URL is set, else a database table), so no page is ever served stale after a
write, whichever process made the write. The version is bumped after the write commits: bumping
before would let a concurrent request cache pre-commit data under the new version.
"""

import hashlib
import logging
import time

from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
CATALOGUE_APPS = {"producers", "products", "certifications"}
# Rows of those apps that no public page shows (buyers' enquiries): writing them leaves every page as it was.
NOT_CATALOGUE_MODELS = {"products.enquiry", "products.enquiry_products"}
DEFAULT_TIMEOUT = 60 * 60


def _cache():
    return caches["catalogue"]


def current_version() -> int:
    version = _cache().get(VERSION_KEY)
    if version is None:
        # Start from the clock so that a flushed cache never reuses an old version's keys.
        _cache().add(VERSION_KEY, time.time_ns(), None)
        version = _cache().get(VERSION_KEY)
    return version


def bump_version():
    try:
        try:
            _cache().incr(VERSION_KEY)
        except ValueError:  # the key is missing (flushed or evicted): start a new, higher series
            _cache().set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # a cache outage must not undo a committed write
        logger.warning("Could not bump the catalogue cache version", exc_info=True)


def bump_version_on_commit():
    transaction.on_commit(bump_version)


def key_for(name: str, *parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"catalogue:{current_version()}:{name}:{digest}"


def get_or_build(name: str, parts, builder, timeout=DEFAULT_TIMEOUT):
    """The cached value for (name, parts) at the current catalogue version, built on a miss."""
    key = key_for(name, *parts)
    value = _cache().get(key)
    if value is None:
        value = builder()
        _cache().set(key, value, timeout)
    return value


def model_changed(sender, **kwargs):
    """Signal receiver: any write to a catalogue model bumps the version once committed."""
    # Historical models of data migrations ("__fake__") are not the live catalogue.
    if (
        sender._meta.app_label in CATALOGUE_APPS
        and sender._meta.label_lower not in NOT_CATALOGUE_MODELS
        and sender.__module__ != "__fake__"
        and not kwargs.get("raw")
    ):
        bump_version_on_commit()
