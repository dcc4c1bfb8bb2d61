"""Each public page runs a fixed number of SQL queries, whatever the amount of data.

Every page is measured on a small catalogue, then on a bigger one where the same objects have more
products, photos, certificates and related rows; the two counts must be equal and within budget.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from producers.cache_scopes import current_slugs
from products.models import Product
from products.views import PAGE_SIZE
from tests import factories as f
from tests.site.builders import add_photos, catalogue

pytestmark = pytest.mark.django_db

LIST_ALL_FILTERS = (
    "/products/?q=san+pham&province=son-la&province=tuyen-quang&group=1&category=che&category=mat-ong"
    "&stars=3&cert=ocop&cert=gi&producer_kind=cooperative&producer_kind=enterprise&sort=-stars&page=1"
)
# name -> (url builder, budget)
PAGES = {
    # incl. the facet cube (or the search index) and the three option lists it is read with; the recent
    # entries and the five-star cards are read as ids, then those rows (ocop_catalogue/views.py: home)
    "home": (lambda w: "/", 9),
    "list_unfiltered": (lambda w: "/products/", 10),
    "list_every_filter": (lambda w: LIST_ALL_FILTERS, 10),
    "list_page_2": (lambda w: "/products/?stars=3&page=2", 10),
    "search": (lambda w: "/products/?q=san+pham+thu", 10),
    "product": (lambda w: w["product"].get_absolute_url(), 4),  # incl. the related cards, in one query
    "product_label": (lambda w: w["product"].get_absolute_url() + "label/", 6),
    "product_qr": (lambda w: w["product"].get_absolute_url() + "qr.svg", 6),
    "export_csv": (lambda w: "/products/export.csv?province=son-la&stars=3", 6),
    "provinces": (lambda w: "/provinces/", 6),
    "province": (lambda w: "/provinces/son-la/", 8),  # + reported figures and trade programmes
    "producers": (lambda w: "/producers/?province=son-la", 6),
    "producer": (lambda w: w["product"].producer.get_absolute_url(), 6),
    "certificates": (lambda w: "/certificates/?kind=ocop&kind=gi&province=son-la&status=valid", 6),
    "certificate": (lambda w: w["decision"].get_absolute_url(), 6),
    "verify": (lambda w: f"/certificates/verify/?number={w['decision'].number}", 6),
    "verify_not_found": (lambda w: "/certificates/verify/?number=1032", 6),
    "english_product": (lambda w: "/en" + w["product"].get_absolute_url(), 4),
}


def _world():
    made = catalogue(3)
    product = made["son-la"][0]
    decision = product.entries.get(kind="ocop").certificate
    return {"product": product, "decision": decision}


def _grow(world):
    """More of everything each page lists: products beyond a page, photos, certificates, entries."""
    catalogue(30)
    product = world["product"]
    add_photos(product, 3)
    for i in range(3):
        f.entry(f.certificate("gi", title=f"Chỉ dẫn thêm {i}"), product)
    for _ in range(4):
        f.product(producer_obj=product.producer)
    for _ in range(6):
        f.entry(world["decision"], f.product(), stars=4)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("name", PAGES)
def test_queries_per_page_do_not_grow_with_the_data(client, name):
    url_of, budget = PAGES[name]
    world = _world()
    current_slugs()  # read once per process and five minutes, not per page: whichever test came first paid it
    with translation.override("vi"):
        url = url_of(world)
    small = _count(client, url)
    small_size = Product.objects.published().count()
    _grow(world)
    big = _count(client, url)
    # Two sizes: a catalogue within one list page, then one ten times as big, spread over several pages.
    assert small_size < PAGE_SIZE < 10 * small_size <= Product.objects.published().count()
    print(f"queries {name}: {big}")
    assert small == big, f"{name}: {small} queries on the small catalogue, {big} on the big one"
    assert big <= budget, f"{name}: {big} queries, budget {budget}"
