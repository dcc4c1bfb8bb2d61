"""`make bench BENCH_ARGS=--long-tail`: the long tail of real traffic (crawlers, shared links, buyers'
filter combinations) rather than a few hot pages.

A set of up to 20,000 distinct URLs built from the live data: 55 % product pages, 25 % product lists with
varied filter combinations, 15 % searches with words taken from product names, 5 % province pages (each
in Vietnamese and English; there are fewer of them, so they repeat more). Two request schedules over it,
both with those shares of requests:
  * "uniform": every URL of a kind once before any repeats (the worst case: nearly nothing repeats);
  * "zipf": URLs repeating as visitors make them repeat, the k-th most popular URL of a kind requested in
    proportion to 1 / k^s (s = --zipf, default 1).
In each round: the floors F1/F2 on gunicorn (as the default mode), then the uniform schedule and the zipf
schedule on gunicorn alone, then the zipf schedule through nginx with deploy/nginx.conf.sample's
micro-cache (a new nginx with an empty cache each round). Redis is emptied before each of them. During
every long-tail run a side process saves a product through the ORM every 10 s, as staff would.
"""

import bisect
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import nginx_sample

SHARES = {"product": 0.55, "list": 0.25, "search": 0.15, "province": 0.05}
URL_SET_SIZE = 20_000
SCHEDULE_LENGTH = 200_000
WRITE_EVERY_SECONDS = 10
# wrk's threads (bench.run_wrk) and where each starts in the list of paths (scripts/bench.lua: thread i at i * 7919).
WRK_THREADS = 2
THREAD_START = 7919
PASSES = ("gunicorn_uniform", "gunicorn_zipf", "nginx_zipf")

LIVE_DATA = """
import random
from products.models import Category, Product
from producers.models import Province
slugs = list(Product.objects.published().order_by('pk').values_list('slug', flat=True)[:{products}])
names = list(Product.objects.published().order_by('?').values_list('name', flat=True)[:3000])
print(json.dumps({{
    'slugs': slugs,
    'names': names,
    'provinces': list(Province.objects.current().values_list('slug', flat=True)),
    'categories': list(Category.objects.values_list('slug', flat=True)),
}}))
"""

# The side process: a product saved every WRITE_EVERY_SECONDS through the ORM (its signals, its cache
# invalidation), one line printed per save.
WRITER = """
import random, sys, time
from products.models import Product
ids = list(Product.objects.published().order_by('pk').values_list('pk', flat=True)[:20000])
rng = random.Random(13)
while True:
    product = Product.objects.get(pk=rng.choice(ids))
    product.save()
    print('saved', product.pk, flush=True)
    time.sleep({every})
"""


def _words(names):
    """Words of the product names worth searching for (3+ letters), most common first."""
    counts = {}
    for name in names:
        for word in name.lower().replace(",", " ").replace("-", " ").split():
            if len(word) >= 3 and word.isalpha():
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


def _filtered_list(rng, data):
    params = []
    if rng.random() < 0.6:
        params += [("province", p) for p in rng.sample(data["provinces"], rng.choice((1, 1, 2)))]
    if rng.random() < 0.4:
        params.append(("group", str(rng.randint(1, 6))))
    if data["categories"] and rng.random() < 0.3:
        params.append(("category", rng.choice(data["categories"])))
    if rng.random() < 0.5:
        params.append(("stars", str(rng.choice((3, 4, 5)))))
    if rng.random() < 0.5:
        params.append(("sort", rng.choice(("name", "-stars", "newest"))))
    if rng.random() < 0.3:
        params.append(("page", str(rng.randint(2, 8))))
    return "/products/?" + urllib.parse.urlencode(params or [("page", str(rng.randint(2, 400)))])


def _search(rng, data, words):
    query = " ".join(rng.sample(words[:400], rng.choice((1, 1, 2))))
    params = [("q", query)]
    if rng.random() < 0.3:
        params.append(("province", rng.choice(data["provinces"])))
    if rng.random() < 0.2:
        params.append(("page", "2"))
    return "/products/?" + urllib.parse.urlencode(params)


def url_set(data, size=URL_SET_SIZE, seed=20):
    """{kind: [distinct paths]} in the shares of SHARES (as far as the data has that many)."""
    rng = random.Random(seed)
    words = _words(data["names"]) or ["che"]
    wanted = {kind: round(size * share) for kind, share in SHARES.items()}
    prefixes = ("", "/en")
    pools = {
        "product": [f"/products/{slug}/" for slug in data["slugs"][: wanted["product"]]],
        "province": [f"{pre}/provinces/{slug}/" for slug in data["provinces"] for pre in prefixes],
    }
    pools["province"] = pools["province"][: wanted["province"]]
    for kind, make in (("list", lambda: _filtered_list(rng, data)), ("search", lambda: _search(rng, data, words))):
        found = set()
        for _ in range(wanted[kind] * 20):
            if len(found) >= wanted[kind]:
                break
            found.add(make())
        pools[kind] = sorted(found)
    for pool in pools.values():
        rng.shuffle(pool)  # the order is the popularity rank in the zipf schedule
    return pools


def _kinds(rng, length):
    """`length` kinds in the shares of SHARES, interleaved."""
    kinds = [kind for kind, share in SHARES.items() for _ in range(round(length * share))]
    rng.shuffle(kinds)
    return kinds


def schedule(pools, how, length=SCHEDULE_LENGTH, zipf_s=1.0, seed=21):
    """The paths wrk requests in order: "uniform" (each path of a kind once before any repeats) or "zipf"."""
    rng = random.Random(seed)
    cumulative = {}
    for kind, pool in pools.items():
        total, sums = 0.0, []
        for rank in range(1, len(pool) + 1):
            total += 1 / rank**zipf_s
            sums.append(total)
        cumulative[kind] = sums
    positions = dict.fromkeys(pools, 0)
    paths = []
    for kind in _kinds(rng, length):
        pool = pools[kind]
        if not pool:
            continue
        if how == "uniform":
            paths.append(pool[positions[kind] % len(pool)])
            positions[kind] += 1
        else:
            sums = cumulative[kind]
            paths.append(pool[min(bisect.bisect_left(sums, rng.random() * sums[-1]), len(pool) - 1)])
    return paths


SETUP = """import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_catalogue.settings.base")
django.setup()
"""


def start_writer(env, python, root):
    """The side process, once it has made its first save (so that even a short run has writes)."""
    code = SETUP + WRITER.format(every=WRITE_EVERY_SECONDS)
    writer = subprocess.Popen(
        [python, "-c", code], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    first = writer.stdout.readline()
    if not first.startswith("saved "):
        raise SystemExit("the writer did not start:\n" + writer.stderr.read()[-2000:])
    return writer


def stop_writer(writer):
    """Stops the side process; returns how many products it saved (and fails loudly if it crashed)."""
    if writer.poll() is None:
        writer.send_signal(signal.SIGTERM)
    out, _err = writer.communicate(timeout=30)
    return 1 + out.count("saved ")  # the first save was read by start_writer


def run_round(bench, env, args, files, round_runs):
    """One round: the floors, then the three long-tail passes; appends to `round_runs`."""
    floors = bench.measure_size(env, _one_round(args), files, [], "floors")
    for name in bench.FLOORS:
        for state, results in floors[name].items():
            round_runs[name][state] += results
    for name in PASSES:
        bench.flush_cache(env)
        writer = start_writer(env, bench.PYTHON, bench.ROOT)
        paths_file = files["zipf" if name.endswith("zipf") else "uniform"][0]
        try:
            if name.startswith("nginx"):
                with tempfile.TemporaryDirectory() as workdir:
                    nginx = nginx_sample.Nginx(args.port + 1, args.port, workdir).start()
                    try:
                        result = bench.wrk(args.port + 1, paths_file, args.long_tail_duration, args.concurrency)
                    finally:
                        nginx.stop()
                    result["served_by_nginx"] = served_by_nginx(nginx.access_log)
            else:
                result = bench.wrk(args.port, paths_file, args.long_tail_duration, args.concurrency)
        finally:
            result_saves = stop_writer(writer)
        result["saves"] = result_saves
        paths = paths_file.read_text(encoding="utf-8").split()
        result["first_requests"] = round(first_requests(paths, result["requests"]) / max(1, result["requests"]), 3)
        round_runs[name]["run"].append(result)
        extra = f", {result['first_requests']:.0%} first requests of their URL"
        extra += f", {result['served_by_nginx']:.0%} served by nginx alone" if "served_by_nginx" in result else ""
        print(f"    {name}: {result['rps']} req/s, p99 {result['p99_ms']} ms, {result_saves} saves{extra}", flush=True)


def requested_paths(paths, requests, threads=WRK_THREADS, start=THREAD_START):
    """The distinct paths a wrk run of `requests` requests asked for: each of its threads walks the list from
    its own start (scripts/bench.lua), about as many requests each."""
    seen = set()
    for thread in range(threads):
        made = requests // threads + (1 if thread < requests % threads else 0)
        first = thread * start
        seen.update(paths[(first + k) % len(paths)] for k in range(1, made + 1))
    return seen


def first_requests(paths, requests, threads=WRK_THREADS, start=THREAD_START):
    """How many of a run's `requests` were the first of their path. A run longer than the list's distinct
    paths repeats some, which a cache may answer: the share says how much of a run was the long tail."""
    return len(requested_paths(paths, requests, threads, start))


def served_by_nginx(access_log):
    """The share of requests nginx answered from its copy, without the app (no upstream in its log line)."""
    lines = access_log.read_text(encoding="utf-8", errors="replace").splitlines()
    alone = sum(1 for line in lines if line.endswith(" upstream=-"))
    return round(alone / len(lines), 3) if lines else 0.0


def _one_round(args):
    copy = type(args)(**vars(args))
    copy.rounds = 1
    return copy


def targets(summary):
    f1 = summary["F1"]["warm"]["rps"]
    gunicorn, nginx = summary["gunicorn_uniform"]["run"], summary["nginx_zipf"]["run"]
    checks = [
        ("long tail, gunicorn alone ≥ 0.3 × F2", gunicorn["x_F2"], 0.3, gunicorn["x_F2"] >= 0.3),
        ("long tail, gunicorn alone p99 ≤ 500 ms", gunicorn["p99_ms"], 500, 0 < gunicorn["p99_ms"] <= 500),
        (f"long tail through the nginx micro-cache ≥ 2 × F1 ({f1} req/s)", nginx["x_F1"], 2, nginx["x_F1"] >= 2),
    ]
    return [{"target": name, "value": value, "limit": limit, "met": bool(ok)} for name, value, limit, ok in checks]


def measure(bench, env, args, workdir):
    """The whole long-tail measurement on the database as it is; returns the JSON's "long_tail" part."""
    if not nginx_sample.available():
        raise SystemExit("nginx is needed for --long-tail: apt-get install -y nginx")
    data = bench.query_json(env, LIVE_DATA.format(products=round(URL_SET_SIZE * SHARES["product"])))
    pools = url_set(data)
    files = bench.url_lists(env, workdir)
    for how in ("uniform", "zipf"):
        path = Path(workdir) / f"longtail-{how}.txt"
        paths = schedule(pools, how, zipf_s=args.zipf)
        path.write_text("\n".join(paths) + "\n", encoding="utf-8")
        files[how] = (path, len(set(paths)))
    sizes = {kind: len(pool) for kind, pool in pools.items()}
    print(f"  long-tail URL set: {sum(sizes.values()):,} distinct {sizes}", flush=True)
    runs = {name: {"cold": [], "warm": []} for name in bench.FLOORS} | {name: {"run": []} for name in PASSES}
    server = bench.start_server(env, args.port, args.workers)
    try:
        for round_no in range(1, args.rounds + 1):
            print(f"  [long tail] round {round_no}/{args.rounds}", flush=True)
            run_round(bench, env, args, files, runs)
    finally:
        bench.stop_server(server)
    summary = bench.summarise(runs)
    bench.print_table("long tail", summary)
    distinct = {how: files[how][1] for how in ("uniform", "zipf")}
    checks = targets(summary)
    alone = [run["served_by_nginx"] for run in runs["nginx_zipf"]["run"]]
    summary["nginx_zipf"]["run"]["served_by_nginx"] = statistics.median(alone)
    print(f"served by nginx alone (median): {statistics.median(alone):.0%}")
    for name in PASSES:
        first = statistics.median(run["first_requests"] for run in runs[name]["run"])
        summary[name]["run"]["first_requests"] = first
        print(f"{name}: {first:.0%} of the requests were the first of their URL (median)")
    return {"url_set": sizes, "distinct_in_schedule": distinct, "summary": summary, "runs": runs, "targets": checks}


if __name__ == "__main__":
    sys.exit("run it through scripts/bench.py --long-tail")
