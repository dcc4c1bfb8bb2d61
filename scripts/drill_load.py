#!/usr/bin/env python3
"""Load for the fault drills (scripts/db_fault_drill.sh, scripts/redis_fault_drill.sh), and their figures.

    drill_load.py run --base http://127.0.0.1:8103 --seconds 40 --threads 4 --out requests.csv / /en/
    drill_load.py report requests.csv --down-at EPOCH --start-at EPOCH --up-at EPOCH
    drill_load.py redis-report requests.csv --stopped-at EPOCH --started-at EPOCH --hung-at EPOCH --resumed-at EPOCH

`run` sends GET requests from a few threads for a bounded time (and at most --max-requests), recording
one CSV row per request: start time, status (0 for no answer), milliseconds, and whether the body
leaked a traceback. Only ever aimed at the machine's own loopback address.
"""

import argparse
import csv
import http.client
import itertools
import statistics
import sys
import threading
import time
import urllib.parse


def run(args):
    target = urllib.parse.urlsplit(args.base)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("drill_load: the drill only loads this machine's own server")
    stop_at = time.time() + args.seconds
    budget = itertools.count()
    rows = []
    lock = threading.Lock()

    def worker(offset):
        paths = itertools.cycle(args.paths[offset % len(args.paths) :] + args.paths[: offset % len(args.paths)])
        while time.time() < stop_at and next(budget) < args.max_requests:
            path = next(paths)
            started = time.time()
            status, leaked = 0, False
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=args.timeout)
            try:
                conn.request("GET", path, headers={"Host": target.hostname})
                response = conn.getresponse()
                body = response.read()
                status = response.status
                leaked = b"Traceback" in body or b"OperationalError" in body
            except OSError:
                pass
            finally:
                conn.close()
            with lock:
                rows.append((started, status, round((time.time() - started) * 1000, 1), int(leaked), path))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows.sort()
    with open(args.out, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["started", "status", "ms", "leaked", "path"])
        writer.writerows(rows)
    print(f"drill_load: {len(rows)} requests in {args.seconds} s -> {args.out}")


def report(args):
    with open(args.csv, newline="") as fh:
        rows = [(float(r["started"]), int(r["status"]), float(r["ms"]), int(r["leaked"])) for r in csv.DictReader(fh)]
    phases = {
        "before the stop": [r for r in rows if r[0] < args.down_at],
        "database down": [r for r in rows if args.down_at <= r[0] < args.start_at],
        "starting": [r for r in rows if args.start_at <= r[0] < args.up_at],
        "after the start": [r for r in rows if r[0] >= args.up_at],
    }
    print(f"{'phase':<18}{'requests':>9}{'200':>7}{'503':>7}{'other':>7}{'no answer':>11}{'p50 ms':>9}{'max ms':>9}")
    for name, part in phases.items():
        statuses = [r[1] for r in part]
        times = [r[2] for r in part] or [0]
        other = sum(1 for s in statuses if s not in (0, 200, 503))
        print(
            f"{name:<18}{len(part):>9}{statuses.count(200):>7}{statuses.count(503):>7}{other:>7}"
            f"{statuses.count(0):>11}{statistics.median(times):>9.1f}{max(times):>9.1f}"
        )
    total = [r[1] for r in rows]
    print(
        f"{'all':<18}{len(rows):>9}{total.count(200):>7}{total.count(503):>7}"
        f"{sum(1 for s in total if s not in (0, 200, 503)):>7}{total.count(0):>11}"
    )
    after = phases["starting"] + phases["after the start"]
    first_ok = next((r[0] for r in after if r[1] == 200), None)
    last_bad = max((r[0] for r in phases["after the start"] if r[1] != 200), default=None)
    leaks = sum(r[3] for r in rows)
    failures = []
    if first_ok is None:
        failures.append("no 200 after the database came back")
    else:
        print(
            f"first 200: {first_ok - args.start_at:.2f} s after `start` was issued "
            f"({first_ok - args.up_at:+.2f} s from pg_isready's yes, {args.up_at - args.start_at:.2f} s after start)"
        )
    if last_bad is not None:
        print(f"last non-200 after pg_isready's yes: {last_bad - args.up_at:.2f} s later")
    else:
        print("every request sent after pg_isready's yes was answered 200")
    print(f"bodies leaking a traceback or driver error: {leaks}")
    down = phases["database down"]
    # While the database is down a page is either served from the shared cache (200, as it was) or the
    # calm 503; both are the site behaving as it should.
    if not down:
        failures.append("no request while the database was down")
    if any(r[1] not in (200, 503) for r in down):
        failures.append("an answer other than 200 (from the cache) or 503 while the database was down")
    print(f"while down: {sum(r[1] == 200 for r in down)} pages from the cache, {sum(r[1] == 503 for r in down)} 503")
    if leaks:
        failures.append("a response body leaked a traceback")
    bad = [s for s in total if s not in (200, 503)]
    if bad:
        failures.append(f"{len(bad)} answers other than 200/503")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def redis_report(args):
    """The Redis drill: every answer must be 200 whatever Redis does, and none may wait much longer than
    the cache timeout once the breaker is open."""
    with open(args.csv, newline="") as fh:
        rows = [(float(r["started"]), int(r["status"]), float(r["ms"]), int(r["leaked"])) for r in csv.DictReader(fh)]
    marks = [("Redis up", float("-inf")), ("Redis stopped", args.stopped_at), ("Redis started", args.started_at)]
    marks += [("Redis hung", args.hung_at), ("Redis answering", args.resumed_at)]
    print(f"{'phase':<18}{'requests':>9}{'200':>7}{'other':>7}{'no answer':>11}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    failures = []
    for index, (name, start) in enumerate(marks):
        end = marks[index + 1][1] if index + 1 < len(marks) else float("inf")
        part = [r for r in rows if start <= r[0] < end]
        times = sorted(r[2] for r in part) or [0]
        statuses = [r[1] for r in part]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"{name:<18}{len(part):>9}{statuses.count(200):>7}{sum(s not in (0, 200) for s in statuses):>7}"
            f"{statuses.count(0):>11}{statistics.median(times):>9.1f}{p99:>9.1f}{max(times):>9.1f}"
        )
        if not part:
            failures.append(f"no request while {name}")
        if any(s != 200 for s in statuses):
            failures.append(f"{sum(s != 200 for s in statuses)} answers other than 200 while {name}")
    slow = [r for r in rows if r[2] > args.max_ms]
    print(f"requests slower than {args.max_ms:.0f} ms: {len(slow)}")
    if slow:
        failures.append(f"{len(slow)} requests slower than {args.max_ms:.0f} ms")
    if any(r[3] for r in rows):
        failures.append("a response body leaked a traceback")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("--base", required=True)
    run_parser.add_argument("--seconds", type=float, default=40)
    run_parser.add_argument("--threads", type=int, default=4)
    run_parser.add_argument("--max-requests", type=int, default=200_000)
    run_parser.add_argument("--timeout", type=float, default=10)
    run_parser.add_argument("--out", required=True)
    run_parser.add_argument("paths", nargs="+")
    report_parser = sub.add_parser("report")
    report_parser.add_argument("csv")
    report_parser.add_argument("--down-at", type=float, required=True)
    report_parser.add_argument("--start-at", type=float, required=True)
    report_parser.add_argument("--up-at", type=float, required=True)
    redis_parser = sub.add_parser("redis-report")
    redis_parser.add_argument("csv")
    for mark in ("--stopped-at", "--started-at", "--hung-at", "--resumed-at"):
        redis_parser.add_argument(mark, type=float, required=True)
    redis_parser.add_argument("--max-ms", type=float, default=1500)
    args = parser.parse_args()
    if args.command == "run":
        run(args)
        return 0
    return redis_report(args) if args.command == "redis-report" else report(args)


if __name__ == "__main__":
    sys.exit(main())
