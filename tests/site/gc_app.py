"""A WSGI application that reports its worker's collector settings, for tests/site/test_worker_gc.py."""

import gc
import json

from core import worker_gc


def application(environ, start_response):
    body = json.dumps(
        {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(), "served": worker_gc._served}
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
