#!/usr/bin/env python
"""Where the machine's CPU goes while it serves the long tail: per process, and inside the workers.

    .venv/bin/python scripts/load_profile.py [--how uniform|zipf] [--warm 15] [--duration 30]
                                              [--workers 5] [--spy var/bench/spy.txt] [--top 40]

Starts gunicorn as `make bench` does (production settings, BENCH_DATABASE_URL: seed it first, e.g. with
`scripts/bench.py --long-tail`), empties Redis, starts the side process that saves a product every 10 s,
runs the long-tail schedule (scripts/bench_longtail.py) with wrk for `--warm` seconds, then measures
`--duration` seconds more: requests per second and the CPU seconds of gunicorn, PostgreSQL, Redis and wrk
per request (from /proc). The measured run requests only paths the warm-up did not (a page cached during the
warm-up would be a hit, not the long tail). `--cold` empties Redis again after the warm-up, as the benchmark
does before each pass, to see what a pass's start costs workers that are already running.

With `--spy FILE` it also samples the workers with py-spy (`--gil`: only a thread holding the interpreter,
that is, CPU spent in Python, not waits on the database or Redis) and prints the frames of the project and
of Django's template engine, the ORM and Redis with their share of the samples. py-spy's own sampling costs
the machine most of a core: compare throughputs without it.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench
import bench_longtail

KINDS = (("gunicorn", "gunicorn"), ("postgres", "postgres"), ("redis", "redis-server"), ("wrk", "wrk"))
SHOWN = re.compile(
    r"\((core|ocop_catalogue|products|producers|certifications|trade)/|render \(django/shortcuts|"
    r"Template\.render \(django/template/base|execute_sql|Redis\.execute_command|from_db"
)


def cpu_by_process():
    """{pid: (kind, CPU seconds)} of the running processes, their kind read from their command line."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        kind = next((name for name, word in KINDS if word in command), "other")
        found[pid] = (kind, (int(fields[11]) + int(fields[12])) / ticks)
    return found


def spent_by_kind(before, after):
    """CPU seconds per kind between two readings: a process started in between counts whole; one that ended
    in between (a database connection closed by the index's rebuild thread, say) is missing from the second
    reading, and what it spent in between with it: the figures are a floor."""
    spent = collections.Counter()
    for pid, (kind, seconds) in after.items():
        spent[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    return spent


def unseen_paths(paths, warm_requests):
    """`paths` in their order without those a warm-up of `warm_requests` requests asked for."""
    seen = bench_longtail.requested_paths(paths, warm_requests)
    return [path for path in paths if path not in seen]


def frames_report(spy_file, top):
    """The shown frames with the share of samples under them (each counted once per sample)."""
    inclusive, total = collections.Counter(), 0
    for line in Path(spy_file).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        total += int(count)
        frames = {re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")}
        for frame in frames:
            if SHOWN.search(frame):
                inclusive[frame] += int(count)
    print(f"\npy-spy: {total} samples of the workers holding the interpreter; frames under which they fell:")
    for frame, count in inclusive.most_common(top):
        print(f"  {count / max(total, 1) * 100:5.1f} %  {frame}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--how", choices=("uniform", "zipf"), default="uniform")
    parser.add_argument("--warm", type=int, default=15, help="Seconds of load before measuring.")
    parser.add_argument("--duration", type=int, default=30, help="Seconds measured.")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--spy", help="py-spy's raw samples go to this file (needs py-spy, requirements-dev.txt).")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Empty Redis after the warm-up, as the benchmark does before each pass: measures a pass's start "
        "on workers that are already running.",
    )
    args = parser.parse_args()
    env = bench.bench_env(args.port)
    bench.manage(env, "collectstatic", "--noinput")  # a fresh checkout has none: every page would fail
    data = bench.query_json(env, bench_longtail.LIVE_DATA.format(products=11_000))
    paths = bench_longtail.schedule(bench_longtail.url_set(data), args.how)
    with tempfile.TemporaryDirectory() as workdir:
        paths_file = Path(workdir) / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        measured_file = Path(workdir) / "measured.txt"
        server = bench.start_server(env, args.port, args.workers)
        writer = None
        try:
            bench.flush_cache(env)
            writer = bench_longtail.start_writer(env, bench.PYTHON, bench.ROOT)
            warm = bench.wrk(args.port, paths_file, args.warm, args.connections)
            # The measured run requests only paths the warm-up did not: a page it built may still be in the
            # page cache, and a figure with such hits in it would not be the long tail's.
            measured_file.write_text("\n".join(unseen_paths(paths, warm["requests"])) + "\n", encoding="utf-8")
            if args.cold:
                bench.flush_cache(env)
            spy = None
            if args.spy:
                py_spy = str(Path(sys.executable).parent / "py-spy")
                spy_command = [py_spy, "record", "--pid", str(server.pid), "--subprocesses", "--gil"]
                spy_command += ["--format", "raw", "--output", args.spy, "--duration", str(args.duration)]
                spy_command += ["--rate", "200", "--nonblocking"]
                spy = subprocess.Popen(spy_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            before, started = cpu_by_process(), time.monotonic()
            result = bench.wrk(args.port, measured_file, args.duration, args.connections)
            spent, seconds = spent_by_kind(before, cpu_by_process()), time.monotonic() - started
            if spy is not None:
                spy.wait()
        finally:
            if writer is not None:
                bench_longtail.stop_writer(writer)
            bench.stop_server(server)
    if not result["requests"] or result["errors"] > result["requests"] / 100:
        raise SystemExit(f"More than 1 % of the requests failed (a broken setup, not a figure): {result}")
    requests = max(result["requests"], 1)
    flushed = ", then Redis emptied" if args.cold else ""
    print(f"{args.how}, after {args.warm} s of warm-up{flushed}: {result['rps']} req/s, p99 {result['p99_ms']} ms")
    for kind, cpu in spent.most_common():
        print(f"  {kind:9} {cpu / seconds * 100:5.0f} % of a core   {cpu / requests * 1000:6.2f} ms per request")
    if args.spy:
        frames_report(args.spy, args.top)


if __name__ == "__main__":
    main()
