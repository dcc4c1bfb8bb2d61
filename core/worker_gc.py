"""Python's cycle collector in a gunicorn worker, run between requests instead of inside them.

gunicorn.conf.py calls `worker_started` once the worker has loaded the application and `request_finished`
after each response has been sent. Measured on the long tail's own pages (100,000 products, production
settings, CPython's default thresholds; `scripts/gc_per_page.py`):

- A young collection ran every ~700 new container objects, that is several times within each list or
  search, while the page's own objects were still alive and had to be looked through each time; the
  collector took 0.7-3 ms of a request.
- A full collection looked through the ~140,000 objects Django, the URLconf, the compiled templates, the
  translations and the catalogue's in-process copies keep for the worker's life: ~100 ms each, about one
  in 80 product pages, in the middle of a request that then waits for it.
- The garbage that needs the collector at all is made of cycles: model instances and their image files
  (a FieldFile names its instance), templates' contexts, filtersets and their filters. Everything else is
  freed as soon as it is dropped.

So: what the worker keeps is moved out of the collector's sight (`gc.freeze`) when it starts and again
once its first requests have loaded the rest (URLconf, templates, copies); automatic collections wait for
`AUTOMATIC_AFTER` new objects, which few requests reach (a page allocates 1,000-3,000) but a streamed
export of every product does every ~1,000 rows, so its cycles do not pile up; after each response the young
generations are collected, when what is left of the request is its garbage, and every `FULL_EVERY`
requests everything since the last freeze. A copy replaced later (a new search index) is freed by its
reference count: what the catalogue keeps holds no cycles. Anything frozen that later becomes cyclic
garbage stays until the worker is replaced after `max_requests` (GUNICORN_MAX_REQUESTS; with 0 it never
is: keep it on).

Sync workers only: in a threaded worker a collection after one response would run inside the other
threads' requests, so gunicorn.conf.py leaves such a worker with CPython's defaults.
`GUNICORN_TUNE_GC=0` leaves CPython's defaults, for comparison.
"""

import gc
import os

AUTOMATIC_AFTER = 20_000
FREEZE_AGAIN_AFTER = 200
FULL_EVERY = 1_000

_served = 0


def enabled() -> bool:
    return os.environ.get("GUNICORN_TUNE_GC", "1").strip().lower() not in {"0", "false", "no", "off"}


def _freeze():
    gc.collect()
    gc.freeze()


def worker_started():
    """After the worker has loaded the application (gunicorn's post_worker_init)."""
    global _served
    _served = 0
    _freeze()
    gc.set_threshold(AUTOMATIC_AFTER, 10, 10)


def request_finished():
    """After a response has been sent (gunicorn's post_request)."""
    global _served
    _served += 1
    if _served == FREEZE_AGAIN_AFTER:
        _freeze()
    elif _served % FULL_EVERY == 0:
        gc.collect()
    else:
        gc.collect(1)
