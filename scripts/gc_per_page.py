"""What Python's cycle collector costs a worker per page, with CPython's defaults and as core/worker_gc.py runs it.

    .venv/bin/python scripts/gc_per_page.py [--requests 80] [--rounds 2]

The long-tail benchmark's own URLs (scripts/bench_longtail.py) go through Django's WSGI handler in one
process, as in a gunicorn worker: production settings, the catalogue cache on in Redis (PROFILE_CACHE_URL,
default redis://127.0.0.1:6379/3) with the page cache off, so each page is built and the pieces pages
share are kept (filter choices, facet cube, search index), on the database of PROFILE_DATABASE_URL (see
scripts/profile_pages.py). Each mode runs in a process of its own, the two alternating `--rounds` times;
per page kind it prints the CPU milliseconds of a request (the lower of the rounds), the milliseconds
spent collecting (the collector's own callbacks time it, whether it ran inside a request or after one)
and the longest single collection, then the mix weighted by the benchmark's shares.
"""

import argparse
import gc
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from wsgiref.util import setup_testing_defaults

ROOT = Path(__file__).resolve().parent.parent
MODES = ("default", "tuned")


class Collections:
    """Time spent in the collector, from gc.callbacks."""

    def __init__(self):
        self.total = self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        else:
            spent = time.perf_counter() - self._started
            self.total += spent
            self.longest = max(self.longest, spent)

    def reset(self):
        self.total = self.longest = 0.0


def run_mode(mode, requests):
    """One process: every kind's URLs, after a warm-up; figures per kind as JSON on stdout."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import profile_pages

    profile_pages.configure(shared_pieces=True)
    profile_pages.keep_search_index()
    from django.core.handlers.wsgi import WSGIHandler

    from core import worker_gc

    application = WSGIHandler()

    def get(url):
        path, _, query = url.partition("?")
        environ = {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO()}
        setup_testing_defaults(environ)
        statuses = []
        body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(body)
        body.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{url} answered {statuses[0]}")

    lists, shares = profile_pages.long_tail_lists(requests)
    for urls in lists.values():
        for url in urls[:5]:
            get(url)
    tuned = mode == "tuned"
    if tuned:
        worker_gc.worker_started()
    collections = Collections()
    figures = {}
    for kind, urls in lists.items():
        collections.reset()
        started = time.process_time()
        for url in urls[5 : 5 + requests]:
            get(url)
            if tuned:
                worker_gc.request_finished()
        count = len(urls[5 : 5 + requests])
        figures[kind.removeprefix("tail_")] = {
            "cpu": (time.process_time() - started) / count * 1000,
            "gc": collections.total / count * 1000,
            "longest": collections.longest * 1000,
        }
    print(json.dumps({"figures": figures, "shares": shares}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=80, help="Requests per page kind and mode.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        run_mode(args.mode, args.requests)
        return
    best = {}
    shares = {}
    for _round in range(args.rounds):
        for mode in MODES:
            command = [sys.executable, __file__, "--mode", mode, "--requests", str(args.requests)]
            output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
            result = json.loads(output.strip().splitlines()[-1])
            shares = result["shares"]
            for kind, figures in result["figures"].items():
                held = best.setdefault(mode, {}).get(kind)
                if held is None or figures["cpu"] < held["cpu"]:
                    best[mode][kind] = figures
    columns = (("CPU ms", "cpu", ".2f"), ("GC ms", "gc", ".2f"), ("longest GC ms", "longest", ".1f"))
    print(f"{'page':10}" + "".join(f" {title + ' default':>22} {'tuned':>7}" for title, _, _ in columns))
    for kind in best["default"]:
        row = f"{kind:10}"
        for _, key, style in columns:
            row += f" {best['default'][kind][key]:>22{style}} {best['tuned'][kind][key]:>7{style}}"
        print(row)
    for mode in MODES:
        mix = {key: sum(best[mode][kind][key] * share for kind, share in shares.items()) for key in ("cpu", "gc")}
        print(f"mix {mode}: CPU {mix['cpu']:.2f} ms, collector {mix['gc']:.2f} ms a request")


if __name__ == "__main__":
    main()
