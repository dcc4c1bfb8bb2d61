"""Logging plumbing: the current request's id on every log record, and the formatters settings.py picks.

The request id lives in a context variable set by `RequestLogMiddleware`, so any log line written while a
request is being served (an error in a view, a warning in a library) carries the same id as the
request's own access line and the `X-Request-ID` response header.
"""

import logging
import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")

# An id from a proxy or load balancer is kept only if it cannot forge or break a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def current_request_id():
    return _request_id.get()


def sane_request_id(candidate):
    """The caller's id when it is short and plain, else a fresh one."""
    if candidate and _SANE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


def bind_request_id(request_id):
    """Make `request_id` the current one; returns the token that `unbind_request_id` takes."""
    return _request_id.set(request_id)


def unbind_request_id(token):
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (handlers, not loggers, carry it: it sees propagated records too)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# The fields every JSON line has; a record's `extra` fields (method, path, status, ...) are added to them.
JSON_FORMAT = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def formatter_config(json_lines):
    """The `formatters` entry of LOGGING: JSON lines (python-json-logger) or plain text."""
    if json_lines:
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FORMAT,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        }
    return {"format": PLAIN_FORMAT}
