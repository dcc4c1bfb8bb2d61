"""Profile the uncached public pages: what one request costs when nothing comes from the cache.

    .venv/bin/python scripts/profile_pages.py [--requests 20] [--top 12] [--pages product,home]

Production-like settings (DEBUG off, the cached template loader), the catalogue cache off
(DJANGO_CATALOGUE_CACHE=0, so every page and the facet cube are built on each request), the database
of PROFILE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ocop_prof: migrate, load_demo and
seed_synthetic --products 100000 it first), static files collected into var/profile-static. Requests
go through Django's test client, each page type over a rotating list of distinct URLs from the live data.

Per page type it prints the mean and 95th-percentile wall and the mean CPU (this process only)
milliseconds per request, the SQL queries per request, and where the wall time goes, each share
exclusive of the others: building SQL
(the ORM's compilers), the database (driver round trips), templates (rendering, minus the SQL run
from inside them), the rest (views, ORM rows to objects, middleware). `--top N` adds the N functions
with the most own time under cProfile. `--keep-cube` keeps the facet cubes (one GROUP BY over every
product, which the cache shares between all lists until the next write) from one request to the next,
so that the figures are the page's own work. `--long-tail` profiles the URL kinds of the long-tail
benchmark (scripts/bench_longtail.py: product pages, filtered lists, searches, province pages, each URL
once) and their mean weighted by the benchmark's shares.
"""

import argparse
import cProfile
import logging
import math
import os
import pstats
import secrets
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("product", "list", "list_filtered", "search", "home", "province")


def configure(shared_pieces=False):
    """Production settings on the profile database; `shared_pieces` keeps the catalogue cache on (in the
    Redis of PROFILE_CACHE_URL) with only the page cache off, as the long-tail benchmark's workers run."""
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.pop("DJANGO_TESTING", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ocop_catalogue.settings.base"
    os.environ["DATABASE_URL"] = os.environ.get("PROFILE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocop_prof")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_CATALOGUE_CACHE"] = "1" if shared_pieces else "0"
    if shared_pieces:
        os.environ["DJANGO_CATALOGUE_PAGE_CACHE"] = "0"
        os.environ["CACHE_URL"] = os.environ.get("PROFILE_CACHE_URL", "redis://127.0.0.1:6379/3")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    # Hashed static names need a manifest: collected once into a directory of this script's own.
    static_root = ROOT / "var" / "profile-static"
    os.environ["DJANGO_STATIC_ROOT"] = str(static_root)
    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("ocop_catalogue.request").setLevel(logging.WARNING)  # one line per request: noise here
    if not (static_root / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def url_lists(size):
    """Distinct URLs per page type, from the live data."""
    from producers.models import Province
    from products.models import Product

    published = Product.objects.published().order_by("pk")
    total = published.count()
    step = max(1, total // size)
    slugs = list(published.values_list("slug", flat=True)[: step * size : step])
    provinces = list(Province.objects.current().order_by("slug").values_list("slug", flat=True))[:size]
    words = ("che", "mat ong", "ca phe", "gao", "tra", "nuoc mam", "ruou", "xoai")
    places = ("son la", "ha noi", "lam dong", "nghe an", "an giang", "dak lak")
    return {
        "product": [f"/products/{slug}/" for slug in slugs],
        "list": [f"/products/?page={n}" for n in range(1, size + 1)],
        "list_filtered": [
            f"/products/?province={slug}&stars={3 + i % 3}&sort=-stars" for i, slug in enumerate(provinces)
        ],
        "search": [f"/products/?q={w.split()[0]}+{p.split()[0]}" for w in words for p in places][:size],
        "home": ["/"],
        "province": [f"/provinces/{slug}/" for slug in provinces],
    }


def long_tail_lists(size):
    """The long-tail benchmark's distinct URLs (scripts/bench_longtail.py), per kind, in its shares."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_longtail

    from producers.models import Province
    from products.models import Category, Product

    published = Product.objects.published()
    data = {
        "slugs": list(published.order_by("pk").values_list("slug", flat=True)[: size * 4]),
        "names": list(published.order_by("?").values_list("name", flat=True)[:3000]),
        "provinces": list(Province.objects.current().values_list("slug", flat=True)),
        "categories": list(Category.objects.values_list("slug", flat=True)),
    }
    pools = bench_longtail.url_set(data, size=size * 8)
    return {f"tail_{kind}": urls for kind, urls in pools.items()}, bench_longtail.SHARES


class Buckets:
    """Exclusive wall time in SQL building, the database and templates, by wrapping their entry points."""

    def __init__(self):
        self.seconds = {"sql_build": 0.0, "database": 0.0, "templates": 0.0}
        self.queries = 0
        self._depth = {"sql_build": 0, "templates": 0}
        self._inner = [0.0]  # seconds of other buckets spent inside the outermost timed call

    def _timed(self, bucket, function):
        def wrapper(*args, **kwargs):
            if self._depth[bucket]:
                return function(*args, **kwargs)
            self._depth[bucket] += 1
            self._inner.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                inner = self._inner.pop()
                self._depth[bucket] -= 1
                self.seconds[bucket] += spent - inner
                self._inner[-1] += spent

        return wrapper

    def database(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds["database"] += spent
            self._inner[-1] += spent

    @contextmanager
    def installed(self):
        from django.db import connection
        from django.db.models.sql.compiler import SQLCompiler
        from django.template.base import Template

        originals = [(SQLCompiler, "as_sql"), (Template, "render")]
        saved = [getattr(owner, name) for owner, name in originals]
        SQLCompiler.as_sql = self._timed("sql_build", SQLCompiler.as_sql)
        Template.render = self._timed("templates", Template.render)
        try:
            with connection.execute_wrapper(self.database):
                yield self
        finally:
            for (owner, name), original in zip(originals, saved, strict=True):
                setattr(owner, name, original)


def keep_facet_cubes():
    """Memoise the facet cubes in this process; everything else is still built on every request."""
    from core import cache as catalogue_cache

    build_uncached = catalogue_cache.get_or_build
    cubes = {}

    def get_or_build(name, parts, builder, **kwargs):
        if name != "facet-cube":
            return build_uncached(name, parts, builder, **kwargs)
        key = repr(parts)
        if key not in cubes:
            cubes[key] = builder()
        return cubes[key]

    catalogue_cache.get_or_build = get_or_build


def keep_search_index():
    """Build the search index once, as each process holds it between writes (products/search_index.py);
    return the build's wall milliseconds."""
    from products import search_index

    started = time.perf_counter()
    index = search_index.SearchIndex.build(search_index.Product.objects.published())
    search_index.PUBLISHED.get = lambda tag="", wait=True: index
    return (time.perf_counter() - started) * 1000


def request(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def measure(client, urls, n):
    """Mean wall and CPU ms per request, queries per request and the exclusive shares."""
    for url in urls[:2]:
        request(client, url)  # warm: templates compiled, URL resolvers and translations loaded
    buckets = Buckets()
    walls, cpu = [], 0.0
    with buckets.installed():
        for i in range(n):
            url = urls[i % len(urls)]
            w0, c0 = time.perf_counter(), time.process_time()
            request(client, url)
            walls.append(time.perf_counter() - w0)
            cpu += time.process_time() - c0
    wall = sum(walls)
    shares = {name: 100 * seconds / wall for name, seconds in buckets.seconds.items()}
    shares["other"] = 100 - sum(shares.values())
    p95 = sorted(walls)[max(0, math.ceil(0.95 * n) - 1)]
    return {
        "wall_ms": 1000 * wall / n,
        "p95_ms": 1000 * p95,
        "cpu_ms": 1000 * cpu / n,
        "queries": buckets.queries / n,
        **shares,
    }


def top_functions(client, urls, n, top):
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        request(client, urls[i % len(urls)])
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    lines = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in rows:
        where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        lines.append(
            f"      {1000 * own / n:6.2f} ms own {1000 * cumulative / n:7.2f} ms cum {calls / n:8.0f}× "
            f" {name} ({where}:{line})"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="Requests measured per page type.")
    parser.add_argument("--top", type=int, default=0, help="Also print the N functions with the most own time.")
    parser.add_argument("--pages", default=",".join(PAGES), help="Comma-separated page types.")
    parser.add_argument(
        "--keep-cube",
        action="store_true",
        help="Keep each facet cube between requests (as the cache does until the next write): the page's own work.",
    )
    parser.add_argument(
        "--long-tail",
        action="store_true",
        help="Profile the long-tail benchmark's URL kinds instead (each URL once) and their weighted mean.",
    )
    args = parser.parse_args()
    configure()
    if args.keep_cube:
        keep_facet_cubes()
    print(f"search index built in {keep_search_index():.0f} ms (once per process and write, at most every 30 s)")
    from django.test import Client

    client = Client()
    lists = url_lists(max(args.requests, 2))
    shares = {}
    if args.long_tail:
        lists, shares = long_tail_lists(max(args.requests, 2))
        args.pages = ",".join(lists)
    header = f"{'page':<14} {'wall ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8} {'SQL build':>10} {'database':>9}"
    print(header + f" {'templates':>10} {'other':>7}")
    weighted = {"wall_ms": 0.0, "cpu_ms": 0.0}
    for page in args.pages.split(","):
        row = measure(client, lists[page], args.requests)
        for name in weighted:
            weighted[name] += row[name] * shares.get(page.removeprefix("tail_"), 0)
        print(
            f"{page:<14} {row['wall_ms']:8.1f} {row['p95_ms']:8.1f} {row['cpu_ms']:8.1f} {row['queries']:8.1f}"
            f" {row['sql_build']:9.0f}% {row['database']:8.0f}% {row['templates']:9.0f}% {row['other']:6.0f}%",
            flush=True,
        )
        if args.top:
            print("\n".join(top_functions(client, lists[page], args.requests, args.top)), flush=True)
    if shares:
        print(f"{'weighted mix':<14} {weighted['wall_ms']:8.1f} {'':>8} {weighted['cpu_ms']:8.1f}  (shares {shares})")


if __name__ == "__main__":
    main()
