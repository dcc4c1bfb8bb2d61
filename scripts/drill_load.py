#!/usr/bin/env python3
"""Load for the database-fault drill (scripts/db_fault_drill.sh), and the drill's figures.

    drill_load.py run --base http://127.0.0.1:8103 --seconds 40 --threads 4 --out requests.csv / /en/
    drill_load.py report requests.csv --down-at EPOCH --start-at EPOCH --up-at EPOCH

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
    if not down or any(r[1] != 503 for r in down):
        failures.append("an answer other than 503 while the database was down")
    if not any(r[1] == 503 for r in down):
        failures.append("no 503 while the database was down")
    if leaks:
        failures.append("a response body leaked a traceback")
    bad = [s for s in total if s not in (200, 503)]
    if bad:
        failures.append(f"{len(bad)} answers other than 200/503")
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
    args = parser.parse_args()
    if args.command == "run":
        run(args)
        return 0
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
