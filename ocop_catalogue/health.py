"""`/healthz` for load balancers and monitors: is every database and cache answering, within a second?

Each check runs in its own short-lived thread so that a backend that hangs (a dropped packet, a full
connection queue) cannot hold the answer past the deadline; the thread finishes or fails on its own
afterwards, bounded by the backends' connect and socket timeouts. The threads open their own
connections and close them, so a check never disturbs the connection of a request being served.
"""

import threading
import time
import uuid

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

DEADLINE_SECONDS = 1.0


def _check_database(alias):
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone()[0] != 1:
                raise RuntimeError("unexpected answer")
    finally:
        connection.close()


def _check_cache(alias):
    cache = caches[alias]
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not keep a value")
    finally:
        cache.delete(key)
        cache.close()


def _checks():
    """Check name -> callable: "database" and "cache" for the defaults, "database:<alias>" for others."""
    checks = {}
    for alias in connections:
        checks["database" if alias == "default" else f"database:{alias}"] = (_check_database, alias)
    for alias in caches:
        checks["cache" if alias == "default" else f"cache:{alias}"] = (_check_cache, alias)
    return checks


def run_checks(deadline=DEADLINE_SECONDS):
    """Run every check at once; returns name -> "ok" | "error" | "timeout" after at most `deadline` seconds."""
    results = {}
    threads = []
    for name, (func, alias) in _checks().items():
        results[name] = "timeout"

        def target(name=name, func=func, alias=alias):
            try:
                func(alias)
            except Exception:  # noqa: BLE001 - any failure means "not healthy"; the JSON says which
                results[name] = "error"
            else:
                results[name] = "ok"

        thread = threading.Thread(target=target, name=f"healthz-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    stop_at = time.monotonic() + deadline
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()))
    return dict(results)


@require_safe
@never_cache
def healthz(request):
    """200 with JSON when the databases answer, 503 with JSON naming what failed otherwise.

    A cache or read replica that fails is named ("degraded") but answers 200: the site serves every page
    without it (core/redis_cache.py, core/sessions.py, core/replica.py), and a load balancer that took
    every host out of rotation because the shared Redis is down would turn a slower site into no site.
    """
    started = time.monotonic()
    checks = run_checks()
    failed = sorted(name for name, result in checks.items() if result != "ok")
    # A read replica that fails is skipped by core/replica.py (the primary answers): degraded, not down.
    fatal = [name for name in failed if name.startswith("database") and name != "database:replica"]
    body = {
        "status": "error" if fatal else ("degraded" if failed else "ok"),
        "checks": checks,
        "failed": failed,
        "ms": round((time.monotonic() - started) * 1000),
    }
    return JsonResponse(body, status=503 if fatal else 200)
