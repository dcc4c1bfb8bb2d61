"""Exports cannot exhaust the server: the product list's CSV is capped (the open-data dump is the file
for everything), a repeated export comes from the shared cache, and nginx limits exports and the API."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache as catalogue_cache
from tests import factories as f
from trade import views as trade_views

pytestmark = pytest.mark.django_db
NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf.sample"


def _row_queries(captured):
    """The queries that read the products' rows (what building the file costs), not just their count."""
    return [
        q["sql"] for q in captured.captured_queries if 'FROM "products_product"' in q["sql"] and "COUNT" not in q["sql"]
    ]


@pytest.fixture
def memory_cache(settings):
    """The catalogue cache in this process's memory, so that the query counts are the export's own."""
    settings.CATALOGUE_CACHE = True
    settings.CACHES = {**settings.CACHES, "catalogue": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def four_products():
    return [f.product(name=f"Chè số {n}") for n in range(4)]


def test_a_csv_over_the_cap_is_a_page_pointing_to_the_open_data_dump(client, monkeypatch, four_products):
    monkeypatch.setattr(trade_views, "CSV_MAX_ROWS", 3)
    response = client.get("/products/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "tối đa 3 sản phẩm" in html
    assert 'href="/open-data/"' in html
    # A narrower filter under the cap is a file again.
    monkeypatch.setattr(trade_views, "CSV_MAX_ROWS", 4)
    assert client.get("/products/export.csv")["Content-Type"].startswith("text/csv")


def test_a_repeated_export_comes_from_the_cache_until_a_write(
    client, memory_cache, four_products, django_capture_on_commit_callbacks
):
    """A province's file is fresh after a write there; the national file follows within the national delay
    (core/cache.py), and a write in another province leaves the province's file cached."""
    path = "/products/export.csv?province=son-la"
    with CaptureQueriesContext(connection) as queries:
        first = client.get(path).content
    assert _row_queries(queries), "building the file reads the rows"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path).content
    assert not _row_queries(queries)  # the filter's choices and the count; the file is not built again
    assert again == first
    with django_capture_on_commit_callbacks(execute=True):
        f.product(name="Nước mắm Cái Rồng", producer_obj=f.producer(province_slug="quang-ninh"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).content == first
    assert not _row_queries(queries)
    with django_capture_on_commit_callbacks(execute=True):
        f.product(name="Chè mới thêm")
    assert "Chè mới thêm" in client.get(path).content.decode("utf-8-sig")


def test_the_xlsx_is_cached_too(client, memory_cache, four_products):
    first = client.get("/products/export.xlsx").content
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/products/export.xlsx").content == first
    assert not _row_queries(queries)


def test_a_cache_outage_still_gives_the_file(client, settings, four_products):
    settings.CATALOGUE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "catalogue": {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/12"},
    }
    assert "Chè số 0" in client.get("/products/export.csv").content.decode("utf-8-sig")
    from core import redis_cache

    redis_cache.reset_breakers()
    assert catalogue_cache.PAGE_TIMEOUT > 0


def test_nginx_limits_exports_and_the_api():
    conf = NGINX.read_text()
    assert re.search(r"limit_req_zone \$binary_remote_addr zone=ocop_exports:\d+m rate=\d+r/m;", conf)
    assert re.search(r"limit_req_zone \$binary_remote_addr zone=ocop_api:\d+m rate=\d+r/s;", conf)
    exports = re.search(r"location ~ \^/\(en/\)\?\(products\|shortlist\)/export[^{]*\{([^}]*)\}", conf)
    assert exports and "limit_req zone=ocop_exports" in exports.group(1) and "proxy_pass" in exports.group(1)
    api = re.search(r"location ~ \^/\(en/\)\?api/ \{([^}]*)\}", conf)
    assert api and "limit_req zone=ocop_api" in api.group(1)
    assert "limit_req_status 429;" in conf
