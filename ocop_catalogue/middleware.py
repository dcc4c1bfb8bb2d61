"""Middleware for running in production: a request id and one log line per request, and a calm 503
instead of a 500 while the database (or the shared cache) cannot be reached.

Recovery needs no code here: Django closes a connection that raised an error at the end of the request
(and `CONN_HEALTH_CHECKS` tests a reused one before the next query), so the first request after the
database is back opens a fresh connection and is served normally, with no restart.
"""

import logging
import sys
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from .log import bind_request_id, sane_request_id, unbind_request_id

request_logger = logging.getLogger("ocop_catalogue.request")
logger = logging.getLogger("ocop_catalogue.unavailable")

try:  # the shared cache is Redis in production; locally there may be no Redis client at all
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    _CACHE_ERRORS = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    _CACHE_ERRORS = ()

# Errors that say "a backing service is not answering", not "this code is wrong".
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, *_CACHE_ERRORS)
RETRY_AFTER_SECONDS = 15
_MAX_LOGGED_PATH = 2000


class RequestLogMiddleware:
    """Outermost middleware: gives every request an id and writes exactly one line when it is answered.

    The id is the caller's `X-Request-ID` when it is plain and short (a proxy's id ties both logs
    together), otherwise a fresh UUID; it is echoed in the response's `X-Request-ID` header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = sane_request_id(request.headers.get("X-Request-ID"))
        token = bind_request_id(request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            self._log(request, response, started)
            return response
        finally:
            unbind_request_id(token)

    @staticmethod
    def _log(request, response, started):
        status = response.status_code
        elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        size = None if response.streaming else len(response.content)
        path = request.get_full_path()[:_MAX_LOGGED_PATH]
        # A 503 is an expected, already explained state (see ServiceUnavailableMiddleware); other 5xx are bugs.
        level = logging.INFO if status < 500 else logging.WARNING if status == 503 else logging.ERROR
        request_logger.log(
            level,
            "%s %s %s %sms %sB",
            request.method,
            path,
            status,
            elapsed_ms,
            "-" if size is None else size,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": elapsed_ms,
                "bytes": size,
                "remote_addr": request.META.get("REMOTE_ADDR", ""),
            },
        )


class ServiceUnavailableMiddleware:
    """Turns "the database (or Redis) is not answering" into a friendly 503 with Retry-After.

    Sits outside the session and authentication middleware so that their database work is covered
    too: a view's error arrives through `process_exception`; an error raised inside an inner
    middleware has already become a 500 response by then, so a signal marks the request and the 500
    is swapped for the 503 on its way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "_service_unavailable_error", None)
        if error is not None and response.status_code == 500:
            return unavailable_response(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE_ERRORS):
            return unavailable_response(request, exception)
        return None


def _mark_unavailable(sender, request=None, **kwargs):
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, UNAVAILABLE_ERRORS):
        request._service_unavailable_error = exc


got_request_exception.connect(_mark_unavailable, dispatch_uid="ocop_catalogue.mark_unavailable")


def unavailable_response(request, error):
    """The 503 a visitor sees: no traceback, no detail, only "try again shortly"; the log keeps the detail."""
    first_line = (str(error).strip().splitlines() or [""])[0][:300]
    logger.warning(
        "service unavailable on %s: %s: %s",
        request.path[:_MAX_LOGGED_PATH],
        type(error).__name__,
        first_line,
        extra={"path": request.path[:_MAX_LOGGED_PATH], "error": type(error).__name__},
    )
    if _wants_json(request):
        response = JsonResponse({"status": "unavailable", "retry_after": RETRY_AFTER_SECONDS}, status=503)
    else:
        response = HttpResponse(_render_page(), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _wants_json(request):
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _render_page():
    # Rendered without the request on purpose: context processors (request.user, ...) would query the
    # database that is down. The template must not touch the database either.
    try:
        return render_to_string("503.html")
    except Exception:  # the page of last resort must never fail
        logger.exception("503.html could not be rendered")
        return (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>503</title>'
            "<h1>Hệ thống tạm thời gián đoạn</h1><p>Vui lòng thử lại sau ít phút.</p></html>"
        )


class StaffIdleTimeoutMiddleware:
    """A staff session ends after STAFF_IDLE_SECONDS (2 hours by default) without a request: each staff
    request moves the session's expiry that far ahead, so an unattended back-office signs itself out.
    Buyers' sessions (a shortlist) keep Django's SESSION_COOKIE_AGE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            request.session.set_expiry(settings.STAFF_IDLE_SECONDS)
        return self.get_response(request)
