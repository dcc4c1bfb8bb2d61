"""gunicorn settings for `make serve` (gunicorn -c gunicorn.conf.py ocop_catalogue.wsgi).

Every value can be overridden from the environment (GUNICORN_*), so one file serves a laptop, one
server and a fleet of app hosts behind a load balancer.

Graceful operations: `kill -HUP <master pid>` reloads the code and configuration with new workers
while the old ones finish their requests; `kill -TERM` stops after in-flight requests (up to
graceful_timeout); `kill -USR1` reopens log files.
"""

import multiprocessing
import os


def _env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# Sync workers: the pages are short database-bound requests; (2 x cores) + 1 is gunicorn's advice.
workers = _env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request that takes longer than this is a bug or a stuck backend: the worker is replaced.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, spread out, so memory stays flat over weeks.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Heartbeat files in memory: a slow or full disk must not make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The reverse proxy in front sets X-Forwarded-Proto; trust it only from where the proxy runs.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
limit_request_fields = 100

# The access log is the application's own line per request (RequestLogMiddleware, on stdout, with the
# request id, plain or JSON). gunicorn's access log would be a second line for the same request, so it
# is off unless GUNICORN_ACCESSLOG names a file or "-"; its format then carries the request id too.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
capture_output = False
proc_name = "ocop_catalogue"
# gunicorn's control socket (`gunicornc`) defaults to one path per user: several instances on one
# machine (app hosts, the benchmark, the load test) would take over each other's. Off unless a path
# is given; each instance then names its own.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket


# The cycle collector runs between requests, not inside them (core/worker_gc.py); sync workers only.
def post_worker_init(worker):
    from core import worker_gc

    if worker_gc.enabled() and worker.cfg.threads <= 1:
        worker_gc.worker_started()


def post_request(worker, req, environ, resp):
    from core import worker_gc

    if worker_gc.enabled() and worker.cfg.threads <= 1:
        worker_gc.request_finished()
