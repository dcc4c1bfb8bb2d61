"""The home page's two lookups that used to sort many rows read an index in order and stop early.

On 2,000 synthetic products with fresh statistics (PostgreSQL, sequential scans priced out as in
test_indexes.py): the five-star cards' ids can come from `product_published_updated` alone, in order, and
the recent entries certificate by certificate from `certificate_issued_desc` under an incremental sort,
no full sort of their rows. The SQL is the prepared statements' own (ocop_catalogue/views.py).
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from core import validity
from ocop_catalogue import views

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="plans and the dated index are PostgreSQL's"),
]


@pytest.fixture
def world():
    call_command("seed_synthetic", "--products", "2000", "--no-progress", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan_of(prepared, *, sorts=True):
    queryset = prepared.build(validity.today())
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sorts:
            # At 2,000 products sorting the ~20 five-star rows is cheaper, and chosen; at 100,000 the index
            # is (README, Performance). The question here is whether the index CAN serve the order.
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def full_sort(text):
    return re.search(r"(?<!Incremental )Sort  \(", text)


def test_the_five_star_cards_ids_come_from_their_index_in_order(world):
    text = plan_of(views._FEATURED_IDS, sorts=False)
    assert "Index Only Scan using product_published_updated" in text, text
    assert not full_sort(text), text


def test_the_recent_entries_are_read_newest_certificate_first_and_stop_early(world):
    text = plan_of(views._RECENT_IDS)
    assert "certificate_issued_desc" in text, text
    assert "Incremental Sort" in text and not full_sort(text), text
