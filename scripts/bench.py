#!/usr/bin/env python
"""`make bench`: page throughput and latency at scale, as ratios to floors measured in the same run.

What it does:
  1. Prepares a PostgreSQL database (BENCH_DATABASE_URL, default .../ocop_bench) with the real demo data
     and N synthetic products (seed_synthetic), and Redis (BENCH_CACHE_URL) as the shared cache.
  2. Starts gunicorn with production settings (DEBUG off, hashed static files, persistent connections).
  3. For each page type, and for the floors F1 (trivial view) and F2 (fortunes: one 12-row query and a
     template), runs wrk at concurrency 16: a cold pass (cache emptied first) and a warm pass, in rounds,
     interleaving floors and pages so that drift on this 2-core machine hits them alike.
  4. Reports requests/s, p50/p95/p99 latency and errors, ratios to the floors (median of the rounds),
     RSS per worker, and writes the figures as JSON under var/bench/.

Usage: python scripts/bench.py [--products 100000] [--small 10000] [--duration 5] [--rounds 3]
       python scripts/bench.py --long-tail [--products 100000] [--long-tail-duration 60] [--rounds 3]
         (the long tail of real traffic, through gunicorn alone and through nginx's micro-cache, with a
         write every 10 s: scripts/bench_longtail.py; 5 workers and 32 connections unless given)
"""

import argparse
import contextlib
import datetime
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK_SCRIPT = ROOT / "scripts" / "bench.lua"

PAGE_TYPES = [
    "home",
    "list",
    "list_filtered",
    "list_deep",
    "search_common",
    "search_rare",
    "search_plain",
    "product",
    "province",
    "export_csv",
]
FLOORS = ["F1", "F2"]
# The warm pass requests paths round-robin from these lists: at most this many distinct product pages.
WARM_LIMIT = 600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=int(os.environ.get("BENCH_PRODUCTS", 100_000)))
    parser.add_argument("--small", type=int, default=10_000, help="Second size for the growth check (0: skip).")
    parser.add_argument("--duration", type=int, default=5, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=None, help="wrk connections (16; 32 with --long-tail).")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (2; 5 with --long-tail).")
    parser.add_argument("--long-tail", action="store_true", help="The long-tail mode (scripts/bench_longtail.py).")
    parser.add_argument("--long-tail-duration", type=int, default=60, help="Seconds per long-tail wrk run.")
    parser.add_argument("--zipf", type=float, default=1.0, help="Exponent of the long tail's popularity law.")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--pages", default=",".join(PAGE_TYPES), help="Comma-separated page types to measure.")
    parser.add_argument(
        "--memory-seconds",
        type=int,
        default=60,
        help="Length of each of the two equal runs of the memory check over every page type (0: skip).",
    )
    args = parser.parse_args()
    if args.concurrency is None:
        args.concurrency = 32 if args.long_tail else 16
    if args.workers is None:
        args.workers = int(os.environ.get("BENCH_WORKERS", 5 if args.long_tail else 2))
    return args


def bench_env(port):
    env = dict(os.environ)
    env.pop("DJANGO_DEBUG", None)
    env.pop("DJANGO_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the environment-driven settings, as on a server
    env.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocop_bench"),
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/3"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_BENCH_FLOORS="1",
        DJANGO_LOG_LEVEL="WARNING",
        # No worker recycling while measuring: memory growth must show, and a restart is not a request.
        GUNICORN_MAX_REQUESTS="0",
    )
    return env


def manage(env, *args, quiet=True):
    out = subprocess.DEVNULL if quiet else None
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=out)


def ensure_database(env):
    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", admin_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def seed(env, products):
    """Make the database hold exactly `products` synthetic products (reseeding only when needed)."""
    count = query_json(env, "print(json.dumps(Product.objects.filter(is_synthetic=True).count()))")
    if count != products:
        print(f"  seeding {products:,} synthetic products (had {count:,}) …", flush=True)
        started = time.monotonic()
        manage(env, "seed_synthetic", "--clear", "--products", str(products), "--no-progress")
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
    subprocess.run(["psql", env["DATABASE_URL"], "-qc", "VACUUM ANALYZE"], check=True)


def query_json(env, code):
    script = "import json\nfrom products.models import Product\nfrom producers.models import Province\n" + code
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v0", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def url_lists(env, workdir):
    """Distinct paths per page type, so that a cold pass really misses the cache."""
    data = query_json(
        env,
        "qs = Product.objects.published().order_by('pk')\n"
        "n = qs.count()\n"
        "step = max(1, n // 600)\n"
        "slugs = [s for i, s in enumerate(qs.values_list('slug', flat=True).iterator()) if i % step == 0][:600]\n"
        "provinces = list(Province.objects.current().values_list('slug', flat=True))\n"
        "print(json.dumps({'slugs': slugs, 'provinces': provinces, 'n': n}))",
    )
    slugs, provinces, n = data["slugs"], data["provinces"], data["n"]
    per_page = 24
    last_page = max(1, min(n // per_page, 400))
    words_common = ["che", "ca phe", "gao", "mat ong", "trai cay", "huu co", "truyen thong", "dac biet"]
    words_rare = ["shan tuyet moc chau", "xoai tron yen chau", "tra hoa vang ba che", "nuoc mam phu quoc"]
    words_diacritics = ["chè", "cà phê", "mật ong", "gạo", "trái cây", "hữu cơ", "đặc biệt", "vùng cao"]
    lists = {
        "F1": ["/bench/floor/trivial"],
        "F2": ["/bench/floor/fortunes"],
        "home": ["/", "/?x=1"],
        "list": [f"/products/?page={p}" for p in range(1, 4)],
        "list_filtered": [
            f"/products/?province={pr}&stars={s}&sort={sort}"
            for pr in provinces
            for s in (3, 4)
            for sort in ("-stars", "name")
        ]
        + [f"/products/?group={g}&stars=4&sort=newest" for g in range(1, 7)],
        "list_deep": [f"/products/?page={p}" for p in range(max(1, last_page - 50), last_page + 1)],
        "search_common": [f"/products/?q={w.replace(' ', '+')}&page={p}" for w in words_common for p in (1, 2)],
        "search_rare": [f"/products/?q={w.replace(' ', '+')}" for w in words_rare],
        "search_plain": [
            "/products/?q=" + urllib.request.quote(w) + f"&province={pr}"
            for w in words_diacritics
            for pr in provinces[:6]
        ],
        "product": [f"/products/{slug}/" for slug in slugs],
        "province": [f"/provinces/{p}/" for p in provinces],
        "export_csv": [f"/products/export.csv?province={pr}&stars=4" for pr in provinces],
    }
    files = {}
    for name, paths in lists.items():
        path = Path(workdir) / f"{name}.txt"
        path.write_text("\n".join(paths) + "\n", encoding="utf-8")
        files[name] = (path, len(paths))
    return files


def start_server(env, port, workers):
    conf = ROOT / "gunicorn.conf.py"
    cmd = [str(Path(PYTHON).parent / "gunicorn"), "ocop_catalogue.wsgi:application"]
    if conf.exists():
        cmd += ["-c", str(conf)]
    # gunicorn's access log stays off, as in production (gunicorn.conf.py): the application logs each request.
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    # Its log goes to a file, not a pipe: nobody reads a pipe during the run, and once ~64 KB of log lines
    # (workers booted as they are recycled, warnings) filled it, the workers would block writing to it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open while the server runs; stop_server closes it)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    proc.log_file = log
    for _ in range(100):
        if proc.poll() is not None:  # e.g. the port is taken: never measure someone else's server
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/floor/trivial", timeout=2)
        except OSError:  # refused, reset, or a first answer slower than the timeout on a busy machine
            time.sleep(0.2)
            continue
        time.sleep(0.5)
        if proc.poll() is None:
            return proc
        break
    proc.terminate()
    proc.wait(timeout=30)
    log.seek(0)
    raise SystemExit("gunicorn did not start:\n" + log.read().decode(errors="replace")[-3000:])


def stop_server(server):
    """TERM, then KILL if gunicorn's graceful shutdown outlasts a minute: the figures are never lost."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    log = getattr(server, "log_file", None)
    if log is not None:
        log.close()


def worker_rss_by_pid(master_pid):
    """{pid: resident memory in MiB} of the master's children (gunicorn's workers), read from /proc."""
    rss = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            rss[int(status.parent.name)] = round(int(fields["VmRSS"].split()[0]) / 1024, 1)
    return rss


def worker_rss_mib(master_pid):
    return sorted(worker_rss_by_pid(master_pid).values())


def flush_cache(env):
    url = env["CACHE_URL"]
    host_port, _, db = url.removeprefix("redis://").partition("/")
    host, _, port = host_port.partition(":")
    subprocess.run(
        ["redis-cli", "-h", host, "-p", port or "6379", "-n", db or "0", "FLUSHDB"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_wrk(script, port, *, duration, connections, threads=2, timeout=10, env=None):
    """wrk against 127.0.0.1:`port` with a Lua script whose done() prints one JSON line.

    Returns (that JSON, decoded; wrk's whole output)."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            f"{timeout}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1]), out


def wrk(port, paths_file, duration, concurrency):
    result, _out = run_wrk(
        WRK_SCRIPT, port, duration=duration, connections=concurrency, env={"BENCH_PATHS": str(paths_file)}
    )
    seconds = result["duration_us"] / 1e6
    return {
        "rps": round(result["requests"] / seconds, 1),
        "requests": result["requests"],
        "p50_ms": round(result["latency_us"]["p50"] / 1000, 2),
        "p95_ms": round(result["latency_us"]["p95"] / 1000, 2),
        "p99_ms": round(result["latency_us"]["p99"] / 1000, 2),
        "errors": sum(result["errors"].values()),
        "non_2xx": result["errors"]["status"],
    }


def warm_up(port, paths_file, limit=WARM_LIMIT, seconds=60):
    """Request every path of the list once (bounded), so that the warm pass measures warm pages."""
    deadline = time.monotonic() + seconds
    for path in paths_file.read_text(encoding="utf-8").split()[:limit]:
        if time.monotonic() > deadline:
            break
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()


def measure_size(env, args, files, pages, label):
    """Rounds of interleaved cold and warm runs; returns {page: {"cold": [...], "warm": [...]}}."""
    runs = {name: {"cold": [], "warm": []} for name in FLOORS + pages}
    for round_no in range(1, args.rounds + 1):
        print(f"  [{label}] round {round_no}/{args.rounds}", flush=True)
        for name in FLOORS + pages:
            path, _count = files[name]
            flush_cache(env)
            runs[name]["cold"].append(wrk(args.port, path, args.duration, args.concurrency))
            warm_up(args.port, path)
            runs[name]["warm"].append(wrk(args.port, path, args.duration, args.concurrency))
    return runs


def memory_check(args, server, files, pages, workdir):
    """Three wrk runs over the mix of every page type; worker RSS after each (at most 150 MiB
    per worker after 10,000 requests, no growth between equal runs: the last two)."""
    mixed = Path(workdir) / "mixed.txt"
    lines = []
    for name in pages:
        if name == "export_csv":  # a download of hundreds of rows per request: not a page visitors load
            continue
        lines += files[name][0].read_text(encoding="utf-8").split()[:WARM_LIMIT]
    mixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = []
    # Run 1 fills the caches (most of its pages are cold); runs 2 and 3 are the equal runs compared.
    for run_no in (1, 2, 3):
        result = wrk(args.port, mixed, args.memory_seconds, args.concurrency)
        rss = worker_rss_mib(server.pid)
        runs.append({"run": run_no, "requests": result["requests"], "errors": result["errors"], "worker_rss_mib": rss})
        print(f"  memory run {run_no}: {result['requests']:,} requests, worker RSS {rss} MiB", flush=True)
    return runs


def summarise(runs):
    def med(values):
        return round(statistics.median(values), 2)

    summary = {}
    for name, passes in runs.items():
        summary[name] = {
            state: {key: med([r[key] for r in results]) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}
            | {"errors": sum(r["errors"] for r in results), "non_2xx": sum(r["non_2xx"] for r in results)}
            for state, results in passes.items()
        }
    f1 = summary["F1"]["warm"]["rps"]
    f2 = summary["F2"]["warm"]["rps"]
    for states in summary.values():
        for state in states.values():
            state["x_F1"] = round(state["rps"] / f1, 3) if f1 else None
            state["x_F2"] = round(state["rps"] / f2, 3) if f2 else None
    return summary


def answered(state, p95_limit):
    """A latency target is met only by a run that answered requests (a run of none has a p95 of 0)."""
    return state["rps"] > 0 and state["p95_ms"] <= p95_limit


def ratio_of(a, b):
    """a / b, or infinity when a run answered nothing (a target that cannot be met, not a crash)."""
    return round(a / b, 3) if b else float("inf")


def targets(big, small, memory=()):
    """The speed targets, checked against the medians."""
    checks = []

    def check(name, value, limit, ok):
        checks.append({"target": name, "value": value, "limit": limit, "met": bool(ok)})

    if "product" in big:
        check("product page rps ≥ 0.6 × F2", big["product"]["warm"]["x_F2"], 0.6, big["product"]["warm"]["x_F2"] >= 0.6)
        check("product page p95 ≤ 30 ms", big["product"]["warm"]["p95_ms"], 30, big["product"]["warm"]["p95_ms"] <= 30)
    if "list_filtered" in big:
        lf = big["list_filtered"]
        check("filtered list (warm) ≥ 0.25 × F2", lf["warm"]["x_F2"], 0.25, lf["warm"]["x_F2"] >= 0.25)
        check("filtered list cold p95 ≤ 150 ms", lf["cold"]["p95_ms"], 150, answered(lf["cold"], 150))
    if "search_common" in big:
        sc = big["search_common"]
        check("search (warm) ≥ 0.15 × F2", sc["warm"]["x_F2"], 0.15, sc["warm"]["x_F2"] >= 0.15)
        check("search cold p95 ≤ 150 ms", sc["cold"]["p95_ms"], 150, answered(sc["cold"], 150))
    if "list" in big and "list_filtered" in big:
        ratio = ratio_of(big["list"]["warm"]["rps"], big["list_filtered"]["warm"]["rps"])
        check("unfiltered list ≥ 0.67 × filtered list", ratio, 0.67, ratio >= 0.67)
    if "list_deep" in big and "list" in big:
        ratio = ratio_of(big["list_deep"]["cold"]["p95_ms"], big["list"]["cold"]["p95_ms"])
        check("deep page p95 ≤ 1.5 × page 1 (cold)", ratio, 1.5, ratio <= 1.5)
    if "home" in big:
        check("a cached page ≥ 0.7 × F1", big["home"]["warm"]["x_F1"], 0.7, big["home"]["warm"]["x_F1"] >= 0.7)
    if small:
        for name in ("list_filtered", "search_common"):
            if name in big and name in small:
                # Cost per request is the inverse of throughput; compare cold passes (no cache help).
                ratio = ratio_of(small[name]["cold"]["rps"], big[name]["cold"]["rps"])
                check(f"{name} cost at 100k ≤ 1.5 × at 10k (cold)", ratio, 1.5, ratio <= 1.5)
    if len(memory) == 3:
        first, second = (max(run["worker_rss_mib"] or [0]) for run in memory[1:])
        requests = sum(run["requests"] for run in memory)
        check("requests in the memory runs ≥ 10,000", requests, 10_000, requests >= 10_000)
        check("worker RSS ≤ 150 MiB after the memory runs", second, 150, second <= 150)
        # "No growth": the second equal run may not add more than 2 % (allocator noise).
        growth = round(second - first, 1)
        check("worker RSS growth between equal runs ≤ 2 %", growth, round(first * 0.02, 1), growth <= first * 0.02)
    return checks


def print_table(title, summary):
    print(f"\n{title}")
    print(f"{'page':<16}{'state':<6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'×F1':>7}{'×F2':>7}{'err':>5}")
    for name, states in summary.items():
        for state, s in states.items():
            print(
                f"{name:<16}{state:<6}{s['rps']:>9.1f}{s['p50_ms']:>9.2f}{s['p95_ms']:>9.2f}{s['p99_ms']:>9.2f}"
                f"{s['x_F1']:>7.2f}{s['x_F2']:>7.2f}{s['errors']:>5}"
            )


def main():
    args = parse_args()
    pages = [p for p in args.pages.split(",") if p]
    env = bench_env(args.port)
    print(f"Preparing PostgreSQL ({env['DATABASE_URL']}) and static files …", flush=True)
    ensure_database(env)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput")
    result = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "uname": " ".join(os.uname())},
        "settings": {
            k: getattr(args, k) for k in ("products", "small", "duration", "rounds", "concurrency", "workers")
        },
        "sizes": {},
    }
    if args.long_tail:
        return long_tail(env, args, result)
    sizes = ([args.small] if args.small else []) + [args.products]
    with tempfile.TemporaryDirectory() as workdir:
        for size in sizes:
            label = f"{size:,} products"
            print(f"\n== {label}", flush=True)
            seed(env, size)
            files = url_lists(env, workdir)
            size_pages = (
                pages if size == args.products else [p for p in pages if p in ("list_filtered", "search_common")]
            )
            server = start_server(env, args.port, args.workers)
            memory = []
            try:
                runs = measure_size(env, args, files, size_pages, label)
                rss = worker_rss_mib(server.pid)
                if size == args.products and args.memory_seconds:
                    memory = memory_check(args, server, files, size_pages, workdir)
            finally:
                stop_server(server)
            summary = summarise(runs)
            result["sizes"][str(size)] = {"summary": summary, "worker_rss_mib": rss, "runs": runs, "memory": memory}
            print_table(label, summary)
            print(f"worker RSS after the runs (MiB): {rss}")
    big = result["sizes"][str(args.products)]["summary"]
    small = result["sizes"].get(str(args.small), {}).get("summary") if args.small else None
    result["targets"] = targets(big, small, result["sizes"][str(args.products)]["memory"])
    print_targets(result["targets"])
    write_json(result, "bench")


def print_targets(checks):
    print("\nTargets:")
    for t in checks:
        print(f"  {'met ' if t['met'] else 'MISS'}  {t['target']}: {t['value']} (limit {t['limit']})")


def write_json(result, prefix):
    """var/bench/<prefix>-<time>.json, and latest.json (bench) or latest-long-tail.json beside it."""
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    latest = "latest.json" if prefix == "bench" else f"latest-{prefix}.json"
    for name in (f"{prefix}-{stamp}.json", latest):
        (out_dir / name).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nJSON: var/bench/{prefix}-{stamp}.json")


def long_tail(env, args, result):
    """--long-tail: the database at --products, then scripts/bench_longtail.py's measurement."""
    import bench_longtail

    result["settings"] |= {"long_tail_duration": args.long_tail_duration, "zipf": args.zipf}
    print(f"\n== long tail, {args.products:,} products", flush=True)
    seed(env, args.products)
    with tempfile.TemporaryDirectory() as workdir:
        result["long_tail"] = bench_longtail.measure(sys.modules[__name__], env, args, workdir)
    print_targets(result["long_tail"]["targets"])
    write_json(result, "long-tail")


if __name__ == "__main__":
    main()
