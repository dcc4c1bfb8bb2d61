"""The buyer's shortlist: kept in the session across pages, changed by plain POST forms (no
JavaScript), shown side by side, and exported with exactly what it shows."""

import csv
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifications.models import CertificateKind
from tests import factories as f
from tests.site.builders import catalogue
from trade.exports import export_header, format_cell
from trade.shortlist import MAX_ITEMS, SESSION_KEY

from .trade_world import build_trade_world

pytestmark = pytest.mark.django_db

ADD, REMOVE, CLEAR = "products:shortlist_add", "products:shortlist_remove", "products:shortlist_clear"


@pytest.fixture
def world():
    return build_trade_world()


def add(client, product, next_url="/products/"):
    return client.post(reverse(ADD), {"product": product.slug, "next": next_url})


def shortlist_names(response):
    """The product names of the shortlist table, in order, as the page shows them."""
    return re.findall(r'<a class="shortlist-name" href="[^"]+">([^<]+)</a>', response.content.decode())


def csv_rows(client, url):
    body = b"".join(client.get(url).streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client, url):
    response = client.get(url)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[format_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def test_adding_redirects_back_to_the_button_and_the_product_is_kept(client, world):
    response = add(client, world.tea, "/products/?stars=4&page=1")
    assert response.status_code == 302
    assert response["Location"] == f"/products/?stars=4&page=1#shortlist-{world.tea.slug}"
    assert client.session[SESSION_KEY] == [world.tea.pk]
    add(client, world.tea)  # twice is once
    assert client.session[SESSION_KEY] == [world.tea.pk]


def test_the_shortlist_survives_across_pages_and_languages(client, world):
    add(client, world.fish_sauce, world.fish_sauce.get_absolute_url())
    add(client, world.tea, "/products/")
    listed = client.get("/products/").content.decode()
    assert listed.count('class="shortlist-button is-listed"') == 2
    assert 'Danh sách chọn <span class="badge-count" aria-hidden="true">2</span>' in listed
    assert '<span class="visually-hidden"> (2 sản phẩm)</span>' in listed
    product_page = client.get(world.tea.get_absolute_url()).content.decode()
    assert f'id="shortlist-{world.tea.slug}"' in product_page and "Đã chọn · Bỏ chọn" in product_page
    assert shortlist_names(client.get(reverse("products:shortlist"))) == [world.fish_sauce.name, world.tea.name]
    english = client.get("/en/shortlist/")
    assert shortlist_names(english) == [world.fish_sauce.name, world.tea.name]
    # Another browser has its own, empty, shortlist.
    assert shortlist_names(Client().get(reverse("products:shortlist"))) == []


def test_the_buttons_are_post_forms_without_a_token_that_work_without_javascript(client, world):
    """No per-visitor CSRF token on public pages (they are cached by anyone); a POST another site makes a
    browser send is refused by its Origin / Sec-Fetch-Site instead."""
    page = client.get("/products/").content.decode()
    form = re.search(
        rf'<form class="shortlist-form" id="shortlist-{world.tea.slug}" method="post" action="([^"]+)">(.*?)</form>',
        page,
        re.S,
    )
    assert form and form.group(1) == reverse(ADD)
    assert "csrfmiddlewaretoken" not in form.group(2)
    assert f'name="product" value="{world.tea.slug}"' in form.group(2)
    assert 'name="next" value="/products/"' in form.group(2)
    assert f'aria-label="Thêm vào danh sách chọn: {world.tea.name}"' in form.group(2)
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(reverse(ADD), {"product": world.tea.slug}, headers={"Origin": "http://testserver"}).status_code
        == 302
    )
    assert strict.post(reverse(ADD), {"product": world.tea.slug}).status_code == 302  # no header: not a browser forgery
    forged = [
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-site"},
    ]
    for headers in forged:
        for name in (ADD, REMOVE):
            refused = Client().post(reverse(name), {"product": world.tea.slug}, headers=headers)
            assert refused.status_code == 403, headers
    assert (
        Client().post(reverse(ADD), {"product": world.tea.slug}, headers={"Sec-Fetch-Site": "same-origin"}).status_code
        == 302
    )


def test_remove_and_clear(client, world):
    add(client, world.tea)
    add(client, world.honey)
    response = client.post(reverse(REMOVE), {"product": world.tea.slug, "next": "/shortlist/"})
    assert response["Location"] == f"/shortlist/#shortlist-{world.tea.slug}"
    assert client.session[SESSION_KEY] == [world.honey.pk]
    response = client.post(reverse(CLEAR))
    assert response["Location"] == reverse("products:shortlist")
    assert SESSION_KEY not in client.session
    page = client.get(reverse("products:shortlist")).content.decode()
    assert "Đã xóa danh sách chọn." in page and "Danh sách chọn đang trống" in page


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "products/", "/\\evil.example"],
)
def test_an_unsafe_next_goes_to_the_shortlist(client, world, next_url):
    response = add(client, world.tea, next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("products:shortlist")


@pytest.mark.parametrize("slug", ["khong-co", "", "\x00", "x" * 5000])
def test_unknown_products_are_not_found(client, world, slug):
    assert client.post(reverse(ADD), {"product": slug}).status_code == 404
    assert client.post(reverse(REMOVE), {"product": slug}).status_code == 404


def test_unpublished_products_cannot_be_added_and_drop_out(client, world):
    add(client, world.tea)
    add(client, world.honey)
    world.tea.is_published = False
    world.tea.save()
    assert add(client, world.tea).status_code == 404
    assert shortlist_names(client.get(reverse("products:shortlist"))) == [world.honey.name]
    assert client.session[SESSION_KEY] == [world.honey.pk]


def test_changing_needs_post(client, world):
    for name in (ADD, REMOVE, CLEAR):
        assert client.get(reverse(name)).status_code == 405


def test_the_shortlist_holds_at_most_max_items(client):
    products = [f.product() for _ in range(MAX_ITEMS + 1)]
    session = client.session
    session[SESSION_KEY] = [p.pk for p in products[:MAX_ITEMS]]
    session.save()
    response = add(client, products[-1])
    assert response["Location"] == reverse("products:shortlist")
    assert len(client.session[SESSION_KEY]) == MAX_ITEMS
    assert f"Danh sách chọn đã có {MAX_ITEMS} sản phẩm" in client.get(response["Location"]).content.decode()


def test_a_tampered_session_is_read_safely(client, world):
    session = client.session
    session[SESSION_KEY] = ["1; DROP TABLE", None, world.tea.pk, {"x": 1}]
    session.save()
    assert shortlist_names(client.get(reverse("products:shortlist"))) == [world.tea.name]
    session = client.session
    session[SESSION_KEY] = "not a list"
    session.save()
    assert client.get(reverse("products:shortlist")).status_code == 200


def test_the_page_shows_stars_validity_certificates_producer_and_province(client, world):
    add(client, world.tea)
    page = re.sub(r"\s+", " ", client.get(reverse("products:shortlist")).content.decode())
    for expected in ("4 sao", "hiệu lực đến", "1032/QĐ-UBND", "00002", "HTX Chè Tà Xùa", "Hợp tác xã", "Sơn La"):
        assert expected in page
    assert "còn hiệu lực" in page
    assert "Gửi yêu cầu tới 1 chủ thể" in page
    assert '<meta name="robots" content="noindex, follow">' in page


def test_exports_hold_exactly_what_the_page_shows(client, world):
    for product in (world.fish_sauce, world.tea, world.honey):
        add(client, product)
    shown = shortlist_names(client.get(reverse("products:shortlist")))
    assert shown == [world.fish_sauce.name, world.tea.name, world.honey.name]
    as_csv = csv_rows(client, reverse("products:shortlist_export_csv"))
    as_xlsx = xlsx_rows(client, reverse("products:shortlist_export_xlsx"))
    assert as_csv[0] == export_header() == as_xlsx[0]
    assert [row[0] for row in as_csv[1:]] == shown
    assert as_xlsx == as_csv
    tea = dict(zip(as_csv[0], as_csv[2], strict=True))
    assert tea["Hạng sao OCOP hiện hành"] == "4"
    assert "00002" in tea["Văn bản chứng nhận còn hiệu lực"]
    assert client.get(reverse("products:shortlist_export_csv"))["Content-Disposition"].startswith(
        'attachment; filename="danh-sach-chon-ocop-'
    )


def test_an_empty_shortlist_exports_a_header_only(client):
    assert csv_rows(client, reverse("products:shortlist_export_csv")) == [export_header()]
    assert xlsx_rows(client, reverse("products:shortlist_export_xlsx")) == [export_header()]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "products:shortlist",
        "products:shortlist_export_csv",
        "products:shortlist_export_xlsx",
        "products:shortlist_enquiry",
    ],
)
def test_queries_do_not_grow_with_the_shortlist(client, url):
    made = catalogue(12)
    products = made["son-la"] + made["tuyen-quang"]
    for product in products[:2]:
        add(client, product)
    small = _count(client, reverse(url))
    for product in products[2:20]:
        add(client, product)
        for i in range(2):
            f.entry(f.certificate(CertificateKind.GI, title=f"Chỉ dẫn {product.pk}-{i}"), product)
    assert len(client.session[SESSION_KEY]) == 20
    assert _count(client, reverse(url)) == small
    assert small <= 6
