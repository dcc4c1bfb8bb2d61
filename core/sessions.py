"""Sessions in the database with a copy in the cache that is never needed: a cache that errors (Redis
down, hung, or its breaker open: core/redis_cache.py) leaves the database to answer.

Django's `cached_db` store already writes every session to the database, but it still raises when the
cache fails while reading back from the database or deleting (logging out). This store treats every
cache error as a miss. Cached copies live at most SESSION_CACHE_SECONDS (5 minutes by default), so
that a change the cache missed during an outage (a logout, a new key) cannot outlive it for long.
"""

import contextlib
import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger(__name__)


def _cache_seconds(age):
    return max(0, min(age, getattr(settings, "SESSION_CACHE_SECONDS", 300)))


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.debug("Session cache unavailable: read from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        with contextlib.suppress(Exception):
            self._cache.set(self.cache_key, data, _cache_seconds(self.get_expiry_age(expiry=row.expire_date)))
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.debug("Session cache unavailable", exc_info=True)
        return db.SessionStore.exists(self, session_key)

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        try:
            self._cache.set(self.cache_key, self._session, _cache_seconds(self.get_expiry_age()))
        except Exception:
            logger.warning("Session cache unavailable: session kept in the database only", exc_info=True)

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.warning("Session cache unavailable: a deleted session's copy expires by itself", exc_info=True)
