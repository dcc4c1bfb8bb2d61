"""`make bench BENCH_ARGS=--long-tail` (scripts/bench_longtail.py): the URL set built from live data has the
kinds in their shares and only paths the site answers; the uniform schedule repeats nothing before the set
is used up, the zipf schedule repeats the popular paths; the writer saves products. The measurement
itself (100,000 products) is run by hand: README, "Performance"."""

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import bench_longtail  # scripts/ is not a package: imported from the folder added above

DATA = {
    "slugs": [f"san-pham-{n}" for n in range(3000)],
    "names": ["Chè Shan tuyết Mộc Châu", "Cà phê Arabica Sơn La", "Mật ong hoa nhãn", "Gạo nếp cái hoa vàng"],
    "provinces": [f"tinh-{n}" for n in range(34)],
    "categories": ["che", "ca-phe", "mat-ong"],
}


def test_the_url_set_has_the_kinds_in_their_shares():
    pools = bench_longtail.url_set(DATA, size=4000)
    sizes = {kind: len(paths) for kind, paths in pools.items()}
    assert sizes == {"product": 2200, "list": 1000, "search": 600, "province": 68}  # 34 provinces × 2 languages
    for paths in pools.values():
        assert len(set(paths)) == len(paths)
    assert all(p.startswith("/products/?") for p in pools["list"] + pools["search"])
    assert all("q=" in p for p in pools["search"]) and not any("q=" in p for p in pools["list"])
    filters = Counter(part.split("=")[0] for p in pools["list"] for part in p.split("?")[1].split("&"))
    assert {"province", "group", "category", "stars", "sort", "page"} <= set(filters)


def test_the_schedules_follow_the_shares_uniform_spreads_and_zipf_repeats():
    pools = bench_longtail.url_set(DATA, size=4000)
    kind_of = {path: kind for kind, paths in pools.items() for path in paths}
    uniform = bench_longtail.schedule(pools, "uniform", length=4000)
    zipf = bench_longtail.schedule(pools, "zipf", length=4000)
    for paths in (uniform, zipf):
        shares = Counter(kind_of[p] for p in paths)
        assert shares == {"product": 2200, "list": 1000, "search": 600, "province": 200}
    uniform_products = [p for p in uniform if kind_of[p] == "product"]
    assert len(set(uniform_products)) == len(uniform_products) == 2200  # nothing repeats before the set is used up
    top, count = Counter(p for p in zipf if kind_of[p] == "product").most_common(1)[0]
    assert top == pools["product"][0]  # the most popular path is the first of its kind, requested again and again
    assert count > 100
    assert len({p for p in zipf if kind_of[p] == "product"}) < 1500  # and the tail is long but thin
    assert uniform != bench_longtail.schedule(pools, "uniform", length=4000, seed=5)


def test_first_requests_follow_wrks_threads_through_the_list():
    """Each of wrk's two threads walks the list from its own start (scripts/bench.lua: thread i at i × 7919):
    a run shorter than the gap between them repeats nothing; a longer one repeats what the other thread did."""
    lua = (Path(bench_longtail.__file__).parent / "bench.lua").read_text()
    assert f"thread_id * {bench_longtail.THREAD_START}" in lua
    paths = [f"/p/{n}" for n in range(100_000)]
    assert bench_longtail.first_requests(paths, 1_000) == 1_000
    # 8,000 each: thread 0 went past thread 1's start, so 81 of its last paths were thread 1's first ones.
    assert bench_longtail.first_requests(paths, 16_000) == 7_919 + 8_000
    assert bench_longtail.first_requests(paths[:10_000], 40_000) == 10_000  # the whole list, many times over
    assert bench_longtail.first_requests(paths * 2, 3, threads=1, start=0) == 3


@pytest.mark.django_db
def test_every_kind_of_path_built_from_live_data_answers(client):
    call_command("seed_synthetic", "--products", "40", "--no-progress", verbosity=0)
    from producers.models import Province
    from products.models import Category, Product

    data = {
        "slugs": list(Product.objects.published().values_list("slug", flat=True)),
        "names": list(Product.objects.values_list("name", flat=True)),
        "provinces": list(Province.objects.current().values_list("slug", flat=True)),
        "categories": list(Category.objects.values_list("slug", flat=True)),
    }
    pools = bench_longtail.url_set(data, size=400)
    assert all(pools.values())
    for kind, paths in pools.items():
        for path in paths[:: max(1, len(paths) // 10)]:
            assert client.get(path).status_code == 200, (kind, path)


def test_the_writer_saves_products_until_stopped(tmp_path):
    """The side process on a database of its own (migrated, a few products): it saves, then stops."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "ocop_catalogue.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    root = Path(bench_longtail.__file__).resolve().parent.parent
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=root, env=env, check=True)
    subprocess.run([*manage, "seed_synthetic", "--products", "5", "--no-progress"], cwd=root, env=env, check=True)
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    newest = "SELECT max(updated_at) FROM products_product"
    [(before,)] = database.execute(newest).fetchall()
    writer = bench_longtail.start_writer(env, sys.executable, root)
    assert bench_longtail.stop_writer(writer) >= 1
    assert writer.returncode is not None
    [(after,)] = database.execute(newest).fetchall()
    assert after > before  # a product was saved (its updated_at moved) through the ORM
