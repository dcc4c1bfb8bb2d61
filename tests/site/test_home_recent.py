"""The home page's recent entries (the newest in-force entries of published products, a product once) and its
five-star cards (the most recently updated)."""

import datetime

import pytest
from django.utils import timezone

from certifications.models import Certificate
from ocop_catalogue import views
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db


def _dated(day, n=1):
    certificate = f.certificate("ocop", issued_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    products = [f.product(name=f"Ngày {day} số {i}") for i in range(n)]
    for product in products:
        f.entry(certificate, product, stars=3)
    return products


def test_the_newest_certificates_entries_come_first_a_product_once():
    oldest = _dated(0, 2)
    _dated(5)
    newer = _dated(9, 2)
    newest = _dated(10)
    again = f.entry(f.certificate("ocop", issued_on=datetime.date(2025, 1, 12)), newest[0], stars=4)
    hidden = f.product(name="Chưa công bố", is_published=False)
    f.entry(f.certificate("ocop", issued_on=datetime.date(2025, 1, 13)), hidden, stars=3)
    recent = views.recent_entries()
    # The product shown once, with its newest entry; a certificate's entries newest first; unpublished left out.
    assert recent[0].pk == again.pk
    names = [entry.product.name for entry in recent]
    older = ["Ngày 5 số 0", *[p.name for p in reversed(oldest)]]
    assert names == [newest[0].name, *[p.name for p in reversed(newer)], *older]


def test_at_most_recent_products_from_the_newest_certificates():
    for day in range(views.RECENT + 3):
        _dated(day)
    names = [entry.product.name for entry in views.recent_entries()]
    assert names == [f"Ngày {day} số 0" for day in range(views.RECENT + 2, 2, -1)]


def test_undated_certificates_come_last():
    old = _dated(0)
    undated = f.certificate("gi", issued_on=None)
    gi_product = f.product(name="Không ghi ngày")
    f.entry(undated, gi_product)
    names = [entry.product.name for entry in views.recent_entries()]
    assert names == [old[0].name, gi_product.name]  # undated last (NULLS LAST)


def test_the_featured_cards_are_the_most_recently_updated_five_star_products_in_order(client):
    rated = [f.rated_product(stars=5, name=f"Năm sao {n}") for n in range(views.FEATURED + 2)]
    four = f.rated_product(stars=4, name="Bốn sao mới nhất")
    now = timezone.now()
    for age, product in enumerate(reversed(rated)):  # the last one made is the most recently updated
        Product.objects.filter(pk=product.pk).update(updated_at=now - datetime.timedelta(hours=age))
    Product.objects.filter(pk=four.pk).update(updated_at=now + datetime.timedelta(hours=1))
    Product.objects.filter(pk=rated[-1].pk).update(is_published=False)
    featured = client.get("/").context["featured"]
    expected = [p.name for p in reversed(rated[:-1])][: views.FEATURED]
    assert [p.name for p in featured] == expected
    assert all(p.current_stars == 5 for p in featured)


def test_the_home_pages_statements_are_prepared_once_and_follow_the_data(client):
    """Featured ids, the recent entries' ids and rows, the title counts: each statement built once, each call
    reading the rows as they are now."""
    first = _dated(1)
    five = f.rated_product(stars=5, name="Năm sao")
    page = client.get("/").context
    assert [p.pk for p in page["featured"]] == [five.pk]
    assert first[0].pk in [e.product.pk for e in page["recent"]]
    statements = ("_FEATURED_IDS", "_RECENT_IDS", "_TITLE_COUNTS")
    templates = {name: len(getattr(views, name)._templates) for name in statements}
    assert templates == dict.fromkeys(statements, 1)
    newest = _dated(30)
    page = client.get("/").context
    assert page["recent"][0].product.pk == newest[0].pk
    assert sum(count for _label, count, _kind in page["title_counts"]) == Certificate.objects.count() >= 2
    assert {len(getattr(views, name)._templates) for name in statements} == {1}
