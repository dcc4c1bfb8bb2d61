"""The list's filters, sorts and search run on their indexes.

The cases take the queries the product list really runs (its WHERE alone, the page of 24 picked from
the bare table as `DeferredJoin` does, the facet cube of a search) and read the database's plan of them,
on 2,000 synthetic products with fresh statistics. Sequential scans are priced out on PostgreSQL
(`enable_seqscan = off`): at this size a scan is often the right choice, and the question is whether an
index CAN serve the query. A filter without a usable index still shows a sequential scan, and fails.
On SQLite (no planner settings, no trigram index) filters and sorts are checked with EXPLAIN QUERY PLAN.
One test per kind of case, each looping over its cases, so the data is built three times, not thirty.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from products.filters import ProductFilter
from products.models import Product

pytestmark = pytest.mark.django_db

# Filters: the WHERE of the list alone -> index names of which at least one must serve it.
FILTERS = {
    "stars=4": {"product_ocop_until_4"},
    "stars=5": {"product_ocop_until_5"},
    "cert=gi": {"product_gi_until"},
    "cert=certification_mark": {"product_cert_mark_until"},
    "category=che": {
        "product_category_name_key",
        "product_category_published",
        "products_product_category_id_9b594869",
    },
    "group=1": {"product_category_name_key", "product_category_published", "products_product_category_id_9b594869"},
    "province=son-la": {"product_producer_published", "products_product_producer_id_be45bf24"},
}
# Sorts: the page of 24 in that order -> the index that returns rows already sorted.
SORTS = {
    "sort=name": {"product_name_key"},
    "sort=newest": {"product_published_newest", "products_product_created_at_3c9cea31"},
    "category=che&sort=name": {"product_category_name_key"},
}
POSTGRES_ONLY = {
    # Rarer words: on 2,000 rows a common word's matches are cheaper to filter than to look up
    # (on 100,000 the plan of "che" uses the trigram index too: README, Performance).
    "q=shan+tuyet+moc+chau": {"product_search_text_trgm"},
    "q=xoai+tron+yen+chau&stars=3&sort=name": {"product_search_text_trgm"},
}


def filter_query(data):
    """SQL and parameters of the list's WHERE for `data`, without order or limit."""
    filterset = ProductFilter(QueryDict(data))
    return filterset.qs.select_related(None).order_by().values("pk").query.sql_with_params()


def page_query(data):
    """SQL and parameters of the page-picking query of the list for `data` (as DeferredJoin runs it)."""
    filterset = ProductFilter(QueryDict(data))
    picked = filterset.qs.select_related(None).values("pk")[:24]
    return picked.query.sql_with_params()


def cube_query(data):
    """SQL and parameters of the rows the facet cube of a search folds."""
    return ProductFilter(QueryDict(data)).facet_base().values("pk").query.sql_with_params()


def plan(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def assert_no_full_scan(text):
    if connection.vendor == "postgresql":
        assert "Seq Scan on products_product" not in text, text
    else:
        assert not any("SCAN products_product" in line and "USING" not in line for line in text.splitlines()), text


@pytest.fixture
def world():
    call_command("seed_synthetic", "--products", "2000", "--no-progress", verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: move the GIN index's pending rows into the index.
            cursor.execute("SELECT gin_clean_pending_list('product_search_text_trgm'::regclass)")
        cursor.execute("ANALYZE")


def check_cases(cases, query_of, *, in_order=False):
    failures = []
    for data, expected in cases.items():
        text = plan(*query_of(data))
        if not any(name in text for name in expected):
            failures.append(f"{data}: none of {sorted(expected)} in the plan:\n{text}")
        try:
            assert_no_full_scan(text)
            if in_order and connection.vendor == "postgresql":
                # No full sort above the index scan (an incremental sort of its presorted rows is fine).
                assert not re.search(r"(?<!Incremental )Sort  \(", text.split("Index")[0]), text
            elif in_order:
                assert "TEMP B-TREE FOR ORDER BY" not in text, text
        except AssertionError as error:
            failures.append(f"{data}: {error}")
    assert not failures, "\n\n".join(failures)


def test_filters_use_their_indexes(world):
    check_cases(FILTERS, filter_query)


def test_sorts_read_an_index_in_order(world):
    check_cases(SORTS, page_query, in_order=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_search_and_its_facet_cube_use_the_trigram_index(world):
    check_cases(POSTGRES_ONLY, page_query)
    check_cases(POSTGRES_ONLY, cube_query)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_near_misses_are_read_in_distance_order_from_the_gist_index(world):
    nearest = Product.objects.published().nearest("xoai tron yen chao", 6)
    text = plan(*nearest.query.sql_with_params())
    assert "product_name_key_trgm_gist" in text, text
    assert_no_full_scan(text)
    assert not re.search(r"(?<!Incremental )Sort  \(", text.split("Index")[0]), text  # no sort of every row


def test_every_index_named_here_exists():
    """A renamed index would otherwise turn the cases above into checks of nothing."""
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "products_product"))
    wanted = set().union(*FILTERS.values(), *SORTS.values())
    if connection.vendor == "postgresql":
        wanted |= set().union(*POSTGRES_ONLY.values(), {"product_name_key_trgm_gist"})
    # Either of the alternatives of a case may be auto-named differently on the other database.
    missing = {name for name in wanted if name not in names and not name.startswith("products_product_")}
    assert not missing, missing


def test_related_products_read_their_indexes(world):
    from products.views import _related_ids

    product = Product.objects.published().order_by("pk")[500]
    picked = _related_ids(product.pk, product.producer_id, product.category_id, product.name_key)
    text = plan(f"SELECT * FROM ({picked.sql}) AS picked", picked.params)  # noqa: S608 (a fixed statement)
    assert_no_full_scan(text)
