#!/usr/bin/env python
"""`make load`: a sustained mixed load on the production server, with a pass/fail verdict.

  1. Prepares its own PostgreSQL database (LOAD_DATABASE_URL, default .../ocop_load): migrate, the demo
     data and LOAD_PRODUCTS (default 100,000) synthetic products, seeded only when the database does not
     already hold exactly that many (reruns are quick); its own Redis database (LOAD_CACHE_URL, /4),
     emptied first, so every run starts from cold caches.
  2. Starts the server through scripts/serve.sh (what `make serve` runs: migrate, collectstatic,
     gunicorn.conf.py) with production settings, and waits for /healthz.
  3. Builds a mixed page set from the live data, in groups (home, lists, filters, deep pages, searches
     with and without diacritics, product, province, producer and certificate pages, the verify page
     with found and unknown numbers, the API, a small CSV export, static files, redirects and a 404 on
     purpose), weighted into one request schedule.
  4. Runs wrk (scripts/load.lua) for LOAD_DURATION (60) seconds at LOAD_CONNECTIONS (64), while sampling
     every gunicorn worker's RSS from /proc every LOAD_SAMPLE_SECONDS (3).
  5. Prints the figures, writes them as JSON under var/load/, and exits 1 on any 5xx, any non-2xx the
     page set did not ask for, any request without an answer (socket error or timeout), or a worker whose
     RSS grew more than LOAD_RSS_LIMIT_MIB (20) from the first half of the run to the second.

Worker recycling (gunicorn's max_requests) is off during the run unless LOAD_MAX_REQUESTS says otherwise:
recycling every ~2,000 requests would restart each worker every few seconds at this rate and hide a leak.
Quick variant for development: LOAD_PRODUCTS=2000 LOAD_DURATION=10 (`make load-quick`).
"""

import contextlib
import datetime
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# scripts/ is not a package: bench.py's helpers are imported from beside this file.
from bench import (
    ROOT,
    ensure_database,
    flush_cache,
    manage,
    query_json,
    run_wrk,
    seed,
    stop_server,
    worker_rss_by_pid,
)

LUA_SCRIPT = ROOT / "scripts" / "load.lua"
OUT_DIR = ROOT / "var" / "load"

# Page groups: share of the requests (weights add up to 100) and the statuses the page set asks for.
# Everything not listed in EXPECTED must answer 200.
WEIGHTS = {
    "home": 6,
    "list": 6,
    "list-filtered": 10,
    "list-deep": 4,
    "search-plain": 6,
    "search-diacritics": 6,
    "product": 18,
    "province": 6,
    "producer": 6,
    "certificate": 6,
    "verify-found": 3,
    "verify-missing": 2,
    "api": 5,
    "export-csv": 1,
    "static": 8,
    "misc": 3,
    "redirect": 2,
    "not-found": 2,
}
EXPECTED = {"redirect": {301}, "not-found": {404}}
SCHEDULE_LENGTH = 6000

PLAIN_WORDS = ["che", "ca phe", "mat ong", "gao", "nuoc mam", "huu co", "che shan tuyet moc chau", "ruou"]
DIACRITIC_WORDS = ["chè", "cà phê", "mật ong", "gạo", "nước mắm", "hữu cơ", "chè shan tuyết mộc châu", "rượu"]
UNKNOWN_NUMBERS = ["999999/QĐ-UBND", "0000000", "12345/QĐ-KHÔNG-CÓ", "KHONG-TON-TAI-42"]


def settings_from_env():
    env = os.environ
    return {
        "database_url": env.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocop_load"),
        "cache_url": env.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/4"),
        "products": int(env.get("LOAD_PRODUCTS", 100_000)),
        "duration": int(env.get("LOAD_DURATION", 60)),
        "connections": int(env.get("LOAD_CONNECTIONS", 64)),
        "threads": int(env.get("LOAD_THREADS", 2)),
        "port": int(env.get("LOAD_PORT", 8191)),
        "sample_seconds": float(env.get("LOAD_SAMPLE_SECONDS", 3)),
        "rss_limit_mib": float(env.get("LOAD_RSS_LIMIT_MIB", 20)),
        "max_requests": env.get("LOAD_MAX_REQUESTS", "0"),
        # A request still unanswered after this long counts as a timeout (gunicorn's own limit is 30 s).
        "wrk_timeout": int(env.get("LOAD_WRK_TIMEOUT", 30)),
    }


def server_env(conf):
    """A production host's environment: debug off, a fresh 50+ character key, Redis, JSON log lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOAD_"))}
    env.update(
        DATABASE_URL=conf["database_url"],
        CACHE_URL=conf["cache_url"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_DEBUG="0",
        DJANGO_TESTING="0",
        DJANGO_LOG_JSON="1",
        DJANGO_LOG_LEVEL="WARNING",  # the request lines (their own logger, INFO) are kept
        DJANGO_STATIC_ROOT=str(OUT_DIR / "static"),
        MEDIA_ROOT=str(OUT_DIR / "media"),
        PORT=str(conf["port"]),
        GUNICORN_MAX_REQUESTS=conf["max_requests"],
        PYTHONUNBUFFERED="1",
    )
    return env


# --- The page set --------------------------------------------------------------------------------------


def live_data(samples=800):
    """What the page set is made of, read from the configured database (runs inside Django)."""
    from django.templatetags.static import static

    from certifications.models import Certificate
    from producers.models import Producer, Province
    from products import views as product_views
    from products.models import Category, Product, ProductGroup

    def spread(queryset, field, count):
        values = list(queryset.order_by("pk").values_list(field, flat=True))
        step = max(1, len(values) // count)
        return values[::step][:count]

    products = Product.objects.published()
    return {
        "product_count": products.count(),
        "per_page": product_views.PAGE_SIZE,
        "max_pages": product_views.MAX_PAGES,
        "products": spread(products, "slug", samples),
        "provinces": list(Province.objects.current().order_by("pk").values_list("slug", flat=True)),
        "former_provinces": list(Province.objects.former().order_by("pk").values_list("slug", flat=True)),
        "groups": list(ProductGroup.objects.order_by("code").values_list("code", flat=True)),
        "categories": list(Category.objects.order_by("pk").values_list("slug", flat=True)),
        "producer_kinds": list(Producer.Kind.values),
        "producers": spread(Producer.objects.filter(products__in=products).distinct(), "slug", samples // 4),
        "certificates": spread(Certificate.objects.all(), "pk", samples // 4),
        "numbers": spread(Certificate.objects.exclude(number=""), "number", samples // 8),
        "static": [static(name) for name in ("css/site.css", "js/site.js", "img/logo.svg", "img/category/che.svg")],
    }


def page_set(data):
    """{group: [paths]} from live_data()'s figures."""
    quote = urllib.parse.quote_plus
    provinces = data["provinces"]
    last = max(1, min(-(-data["product_count"] // data["per_page"]), data["max_pages"]))
    sets = {
        "home": ["/", "/en/"],
        "list": [
            "/products/",
            "/products/?page=2",
            "/en/products/",
            "/products/?sort=newest",
            "/products/?sort=-stars",
        ],
        "list-filtered": [
            f"/products/?province={p}&stars={s}&sort={sort}"
            for p in provinces
            for s in (3, 4)
            for sort in ("-stars", "name")
        ]
        + [f"/products/?group={g}&stars=4&sort=newest" for g in data["groups"]]
        + [f"/products/?category={c}&producer_kind={k}" for c in data["categories"] for k in data["producer_kinds"]]
        + [f"/products/?cert=gi&province={p}&sort=-stars" for p in provinces],
        "list-deep": [f"/products/?page={n}" for n in range(max(1, last - 9), last + 1)]
        + [f"/products/?stars=3&sort=newest&page={n}" for n in (last // 2, last)]
        + ["/products/?page=999999"],  # past the end: clamped to the last page, and said so
        "search-plain": [f"/products/?q={quote(w)}" for w in PLAIN_WORDS]
        + [f"/products/?q={quote(w)}&page=2" for w in PLAIN_WORDS[:4]]
        + [f"/products/?q={quote(w)}&province={p}" for w in PLAIN_WORDS[:3] for p in provinces[:4]],
        "search-diacritics": [f"/products/?q={quote(w)}" for w in DIACRITIC_WORDS]
        + [f"/products/?q={quote(w)}&stars=4" for w in DIACRITIC_WORDS[:4]]
        + [f"/en/products/?q={quote(w)}" for w in DIACRITIC_WORDS[:2]],
        "product": [f"/products/{slug}/" for slug in data["products"]]
        + [f"/en/products/{slug}/" for slug in data["products"][::10]],
        "province": ["/provinces/"] + [f"/provinces/{p}/" for p in provinces] + [f"/en/provinces/{provinces[0]}/"],
        "producer": ["/producers/", "/producers/?page=2", f"/producers/?province={provinces[0]}"]
        + [f"/producers/{slug}/" for slug in data["producers"]],
        "certificate": ["/certificates/", "/certificates/?kind=gi", f"/certificates/?province={provinces[0]}"]
        + [f"/certificates/{pk}/" for pk in data["certificates"]],
        "verify-found": [f"/certificates/verify/?number={quote(n)}" for n in data["numbers"]],
        "verify-missing": [f"/certificates/verify/?number={quote(n)}" for n in UNKNOWN_NUMBERS],
        "api": ["/api/products/", "/api/products/?page=2", "/api/products/?q=che"]
        + [f"/api/products/?province={p}&stars=4" for p in provinces[:8]],
        "export-csv": [f"/products/export.csv?province={p}&stars=5" for p in provinces[:8]],
        "static": data["static"],
        "misc": ["/robots.txt", "/sitemap.xml", "/sitemap-products.xml", "/healthz", "/open-data/"],
        "redirect": [f"/provinces/{slug}/" for slug in data["former_provinces"][:4]] + ["/products", "/certificates"],
        "not-found": [
            "/products/khong-co-san-pham-nay/",
            "/trang-khong-ton-tai/",
            "/certificates/999999999/",
            "/producers/khong-co-chu-the-nay/",
        ],
    }
    return {group: paths for group, paths in sets.items() if paths}


def schedule(sets, length=SCHEDULE_LENGTH, seed=7):
    """[(group, path)]: each group's share of `length` by WEIGHTS, its paths in turn, shuffled."""
    total = sum(WEIGHTS[group] for group in sets)
    entries = []
    for group, paths in sets.items():
        count = max(1, round(length * WEIGHTS[group] / total))
        entries += [(group, paths[i % len(paths)]) for i in range(count)]
    random.Random(seed).shuffle(entries)
    return entries


def write_schedule(entries, path):
    path.write_text("".join(f"{group} {url}\n" for group, url in entries), encoding="utf-8")


# --- The server and the samples ------------------------------------------------------------------------


def start_server(env, log_dir):
    """scripts/serve.sh in its own session; returns the process (its pid is gunicorn's master: serve.sh execs)."""
    port = env["PORT"]
    with open(log_dir / "serve.out", "wb") as out, open(log_dir / "serve.err", "wb") as err:
        server = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("serve.sh exited:\n" + (log_dir / "serve.err").read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer /healthz within 120 s")


def stop(server):
    """gunicorn's graceful stop (bench.stop_server), then whatever is left of its process group."""
    if server.poll() is None:
        stop_server(server)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)


class RssSampler(threading.Thread):
    """Every `every` seconds: (seconds since start, {worker pid: RSS MiB}) of the master's workers."""

    def __init__(self, master_pid, every):
        super().__init__(daemon=True)
        self.master_pid, self.every = master_pid, every
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        started = time.monotonic()
        while True:
            self.samples.append((round(time.monotonic() - started, 1), worker_rss_by_pid(self.master_pid)))
            if self.halt.wait(self.every):
                break
        self.samples.append((round(time.monotonic() - started, 1), worker_rss_by_pid(self.master_pid)))

    def finish(self):
        self.halt.set()
        self.join()
        return self.samples


def cpu_seconds(pids):
    """{pid: CPU time used so far (user + system, seconds)}, from /proc/<pid>/stat."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime and stime: fields 14 and 15
    return used


# --- Figures and verdict --------------------------------------------------------------------------------


def status_classes(groups):
    """Totals by class (2xx…5xx) and the non-2xx split into intended (EXPECTED) and unintended, per group."""
    totals = {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "other": 0}
    intended, unintended = 0, 0
    per_group = {}
    for group, statuses in sorted(groups.items()):
        row = {"requests": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "other": 0, "unintended": {}}
        for status, count in statuses.items():
            status = int(status)
            klass = f"{status // 100}xx" if 200 <= status < 600 else "other"
            row[klass] += count
            row["requests"] += count
            totals[klass] += count
            expected = EXPECTED.get(group, {200})
            if status in expected:
                intended += count if klass != "2xx" else 0
            elif not (klass == "2xx" and 200 in expected):
                row["unintended"][str(status)] = count
                unintended += count
        per_group[group] = row
    return {"totals": totals, "intended_non_2xx": intended, "unintended_non_2xx": unintended, "groups": per_group}


def rss_report(samples, limit_mib):
    """Per worker: RSS at start, middle and end, medians of the run's two halves and the growth between them.

    A worker whose second-half median exceeds its first-half median by more than `limit_mib` fails; one
    that was not there for the whole run (replaced, or booted late) is reported and not judged."""
    if not samples:
        return {"workers": {}, "failed": [], "replaced": []}
    end_t = samples[-1][0]
    half = end_t / 2
    pids = sorted({pid for _t, rss in samples for pid in rss})
    first_pids, last_pids = set(samples[0][1]), set(samples[-1][1])
    workers, failed, replaced = {}, [], []
    for pid in pids:
        series = [(t, rss[pid]) for t, rss in samples if pid in rss]
        whole_run = pid in first_pids and pid in last_pids
        if not whole_run:
            replaced.append(pid)
        first = [v for t, v in series if t <= half]
        second = [v for t, v in series if t > half]
        middle = min(series, key=lambda s: abs(s[0] - half))[1]
        row = {"start": series[0][1], "middle": middle, "end": series[-1][1], "max": max(v for _t, v in series)}
        if first and second:
            row["first_half_median"] = round(statistics.median(first), 1)
            row["second_half_median"] = round(statistics.median(second), 1)
            row["growth_mib"] = round(row["second_half_median"] - row["first_half_median"], 1)
            if whole_run and row["growth_mib"] > limit_mib:
                failed.append(pid)
        row["whole_run"] = whole_run
        workers[str(pid)] = row
    return {"workers": workers, "failed": failed, "replaced": replaced, "limit_mib": limit_mib}


def server_log_figures(path):
    """The server's own account, from its JSON request lines: statuses and time (ms) per group."""
    statuses, times, lines = {}, {}, 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            rid = str(record.get("request_id", ""))
            if "status" not in record or not rid.startswith("load."):
                continue
            lines += 1
            group = rid.split(".")[1]
            status = str(record["status"])
            statuses.setdefault(group, {}).setdefault(status, 0)
            statuses[group][status] += 1
            times.setdefault(group, []).append(float(record.get("duration_ms") or 0))
    timing = {}
    for group, values in sorted(times.items()):
        values.sort()
        timing[group] = {
            "p50_ms": values[len(values) // 2],
            "p95_ms": values[min(len(values) - 1, int(len(values) * 0.95))],
            "max_ms": values[-1],
        }
    return {"requests": lines, "statuses": statuses, "timing": timing}


def verdict(wrk_result, classes, rss):
    errors = wrk_result["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    problems = []
    if classes["totals"]["5xx"]:
        problems.append(f"{classes['totals']['5xx']} responses with a 5xx status")
    if classes["unintended_non_2xx"]:
        problems.append(f"{classes['unintended_non_2xx']} unintended non-2xx responses")
    if socket_errors:
        problems.append(f"{socket_errors} requests without an answer (socket errors or timeouts)")
    if rss["failed"]:
        problems.append(f"RSS grew more than {rss['limit_mib']} MiB in worker(s) {rss['failed']}")
    if classes["totals"]["2xx"] == 0:
        problems.append("no successful response at all")
    return problems


def print_report(result):
    w, c, rss = result["wrk"], result["statuses"], result["rss"]
    lat = w["latency_us"]
    seconds = w["duration_us"] / 1e6
    errors = w["errors"]
    print(
        f"\n== Load test: {result['settings']['products']:,} products, {result['settings']['connections']} "
        f"connections, {result['settings']['duration']} s, {result['workers']} gunicorn workers"
    )
    print(
        f"requests      {w['requests']:,} in {seconds:.1f} s = {w['requests'] / seconds:.1f} req/s "
        f"({w['bytes'] / 1e6:.1f} MB)"
    )
    print(
        f"latency       p50 {lat['p50'] / 1000:.1f} ms   p95 {lat['p95'] / 1000:.1f} ms   "
        f"p99 {lat['p99'] / 1000:.1f} ms   max {lat['max'] / 1000:.1f} ms"
    )
    t = c["totals"]
    print(
        f"statuses      2xx {t['2xx']:,}   3xx {t['3xx']:,}   4xx {t['4xx']:,}   5xx {t['5xx']:,}   "
        f"other {t['other']:,}"
    )
    print(
        f"non-2xx       intended {c['intended_non_2xx']:,} (redirects and the 404s asked for)   "
        f"unintended {c['unintended_non_2xx']:,}"
    )
    print(
        f"socket errors connect {errors['connect']}   read {errors['read']}   write {errors['write']}   "
        f"timeouts {errors['timeout']}"
    )
    print(
        f"\n{'group':<18}{'requests':>9}{'2xx':>8}{'3xx':>6}{'4xx':>6}{'5xx':>6}{'server p50':>12}"
        f"{'p95':>9}{'max':>9}  unintended"
    )
    timing = result["server_log"]["timing"]
    for group, row in c["groups"].items():
        tm = timing.get(group, {})
        print(
            f"{group:<18}{row['requests']:>9,}{row['2xx']:>8,}{row['3xx']:>6}{row['4xx']:>6}{row['5xx']:>6}"
            f"{tm.get('p50_ms', 0):>10.1f}ms{tm.get('p95_ms', 0):>7.0f}ms{tm.get('max_ms', 0):>7.0f}ms"
            f"  {row['unintended'] or '-'}"
        )
    cores = result["worker_cpu_seconds"] / seconds
    print(
        f"machine       the workers used {result['worker_cpu_seconds']:.0f} CPU-seconds ({cores:.2f} of "
        f"{result['machine']['cpus']} cores); load average {result['load_average_1min'][0]:.1f} at the start, "
        f"{result['load_average_1min'][1]:.1f} at the end"
    )
    log = result["server_log"]
    print(
        f"server log    {log['requests']:,} request lines, {result['server_errors']} error lines "
        f"({result['tracebacks']} tracebacks) on stderr"
    )
    print(
        f"\nworker RSS (MiB), sampled every {result['settings']['sample_seconds']:g} s "
        f"({len(result['rss_samples'])} samples); growth = 2nd-half median - 1st-half median "
        f"(limit {rss['limit_mib']:g} MiB)"
    )
    print(f"{'pid':>8}{'start':>8}{'middle':>8}{'end':>8}{'max':>8}{'growth':>8}")
    for pid, row in rss["workers"].items():
        note = "" if row["whole_run"] else "  (not there for the whole run)"
        growth = row.get("growth_mib")
        print(
            f"{pid:>8}{row['start']:>8.1f}{row['middle']:>8.1f}{row['end']:>8.1f}{row['max']:>8.1f}"
            f"{'-' if growth is None else f'{growth:+.1f}':>8}{note}"
        )
    print()
    if result["problems"]:
        print("FAILED: " + "; ".join(result["problems"]))
    else:
        print("PASSED: no 5xx, no unintended non-2xx, no unanswered request, worker memory flat")


# --- Main ------------------------------------------------------------------------------------------------


def prepare(conf, env):
    what = f"migrate, demo data, {conf['products']:,} synthetic products"
    print(f"Preparing {conf['database_url']} ({what}) …", flush=True)
    ensure_database(env)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    seed(env, conf["products"])
    flush_cache(env)


def build_schedule(env, path):
    data = query_json(
        env,
        "import sys\nsys.path.insert(0, 'scripts')\nimport load_test\nprint(json.dumps(load_test.live_data()))",
    )
    sets = page_set(data)
    entries = schedule(sets)
    write_schedule(entries, path)
    return sets, entries


def main():
    conf = settings_from_env()
    env = server_env(conf)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    log_dir = OUT_DIR / "logs"
    log_dir.mkdir(exist_ok=True)
    # A stop request (Ctrl-C, TERM, HUP) unwinds through the `finally` below, which stops the server.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))

    started = datetime.datetime.now().astimezone()
    prepare(conf, env)
    print(f"Starting the server: scripts/serve.sh on 127.0.0.1:{conf['port']} (logs in var/load/logs/) …", flush=True)
    server = start_server(env, log_dir)
    try:
        sets, entries = build_schedule(env, log_dir / "paths.txt")
        print(
            f"Page set: {sum(len(p) for p in sets.values()):,} distinct paths in {len(sets)} groups, "
            f"a schedule of {len(entries):,} requests repeated",
            flush=True,
        )
        pids = list(worker_rss_by_pid(server.pid))
        workers = len(pids)
        print(
            f"wrk -t{conf['threads']} -c{conf['connections']} -d{conf['duration']}s ({workers} workers) …", flush=True
        )
        sampler = RssSampler(server.pid, conf["sample_seconds"])
        cpu_before, load_before = cpu_seconds(pids), os.getloadavg()[0]
        sampler.start()
        try:
            wrk_result, wrk_text = run_wrk(
                LUA_SCRIPT,
                conf["port"],
                duration=conf["duration"],
                connections=conf["connections"],
                threads=conf["threads"],
                timeout=conf["wrk_timeout"],
                env={"LOAD_PATHS": str(log_dir / "paths.txt")},
            )
        finally:
            samples = sampler.finish()
        cpu_after, load_after = cpu_seconds(pids), os.getloadavg()[0]
        (log_dir / "wrk.txt").write_text(wrk_text, encoding="utf-8")
    finally:
        stop(server)

    err_text = (log_dir / "serve.err").read_text(encoding="utf-8", errors="replace")
    classes = status_classes(wrk_result.pop("groups"))
    rss = rss_report(samples, conf["rss_limit_mib"])
    result = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "uname": " ".join(os.uname())},
        "settings": conf | {"database_url": conf["database_url"].rsplit("@", 1)[-1]},
        "command": f"wrk -t{conf['threads']} -c{conf['connections']} -d{conf['duration']}s "
        f"--timeout {conf['wrk_timeout']}s -s scripts/load.lua http://127.0.0.1:{conf['port']}",
        "workers": workers,
        # How much of the machine the server got: its workers' CPU time during the run, and the load average.
        "worker_cpu_seconds": round(sum(cpu_after.get(pid, 0) - cpu_before.get(pid, 0) for pid in pids), 1),
        "load_average_1min": [load_before, load_after],
        "page_set": {group: len(paths) for group, paths in sets.items()},
        "wrk": wrk_result,
        "statuses": classes,
        "server_log": server_log_figures(log_dir / "serve.out"),
        "server_errors": sum(
            any(mark in line for mark in ('"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]"))
            for line in err_text.splitlines()
        ),
        "tracebacks": err_text.count("Traceback"),
        "rss": rss,
        "rss_samples": samples,
    }
    result["problems"] = verdict(wrk_result, classes, rss)
    print_report(result)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    for name in (f"load-{stamp}.json", "latest.json"):
        (OUT_DIR / name).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"JSON: var/load/load-{stamp}.json")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
