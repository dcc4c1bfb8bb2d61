"""The open-data API: the product list's filter as JSON, page by page, with each product's
certificates and current rating; the same products as the HTML list; bad parameters never an error."""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certifications.models import CertificateKind
from tests import factories as f
from tests.site.builders import catalogue
from trade import api_views

pytestmark = pytest.mark.django_db

PARAMETER_SETS = [
    {},
    {"stars": "4"},
    {"stars": "5", "sort": "-stars"},
    {"province": ["son-la", "tuyen-quang"], "group": "1", "sort": "newest"},
    {"cert": CertificateKind.GI, "producer_kind": ["cooperative", "household"]},
    {"category": ["che", "gao"], "sort": "name"},
    {"q": "san pham thu"},
    {"q": "san", "stars": "3", "sort": "-stars"},
    {"province": "ha-tay"},  # a former province means its current unit
    {"stars": "7", "province": "atlantis", "utm_source": "x"},
]


def api(client, params=None, path="/api/products/"):
    response = client.get(path, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def api_slugs(client, params):
    slugs, data = [], api(client, params)
    while True:
        slugs += [item["slug"] for item in data["results"]]
        if not data["next"]:
            return slugs
        parts = urlsplit(data["next"])
        data = json.loads(client.get(parts.path + "?" + parts.query).content)


def html_slugs(client, params):
    slugs, page = [], 1
    while True:
        response = client.get("/products/", {**params, "page": page})
        slugs += [product.slug for product in response.context["products"]]
        if not response.context["page"].has_next():
            return slugs
        page += 1


@pytest.fixture
def big(settings):
    catalogue(30)  # 60 products: several pages of the list (24) and of the API (50)


@pytest.mark.parametrize("params", PARAMETER_SETS)
def test_the_api_returns_the_same_products_as_the_html_list(client, big, params):
    from_api = api_slugs(client, params)
    assert from_api == html_slugs(client, params)
    assert api(client, params)["count"] == len(from_api)
    if params.get("province") != "atlantis":
        assert from_api


def test_a_product_carries_its_rating_and_certificates(client, today):
    producer = f.producer(name="HTX Chè Tà Xùa", phone="0212 111 222", email="htx@example.vn")
    product = f.product(name="Chè Shan tuyết Tà Xùa", name_en="Ta Xua Shan tuyet tea", producer_obj=producer)
    decision = f.certificate(CertificateKind.OCOP, issued_on=today - datetime.timedelta(days=30), number="1032/QĐ-UBND")
    f.entry(decision, product, stars=4)
    old = f.certificate(
        CertificateKind.OCOP,
        issued_on=today - datetime.timedelta(days=1200),
        valid_until=today - datetime.timedelta(days=1),
    )
    f.entry(old, product, stars=5)
    f.entry(f.certificate(CertificateKind.GI, number="00002", title="Tà Xùa"), product)
    [item] = api(client)["results"]
    assert item["name"] == "Chè Shan tuyết Tà Xùa" and item["name_en"] == "Ta Xua Shan tuyet tea"
    assert item["url"] == "http://testserver" + product.get_absolute_url()
    assert item["province"] == {"slug": "son-la", "name": "Sơn La", "name_en": "Son La"}
    assert item["group"]["code"] == 1 and item["category"]["slug"] == "che"
    assert item["producer"]["name"] == "HTX Chè Tà Xùa" and item["producer"]["kind"] == "cooperative"
    assert item["producer"]["email"] == "htx@example.vn"
    assert item["rating"] == {"stars": 4, "valid_until": decision.valid_until.isoformat(), "status": "valid"}
    by_number = {c["number"]: c for c in item["certificates"]}
    assert by_number["1032/QĐ-UBND"]["status"] == "valid" and by_number["1032/QĐ-UBND"]["stars"] == 4
    # Re-rated 30 days ago while still in force: the later decision replaced it.
    assert by_number[old.number]["status"] == "superseded" and by_number[old.number]["stars"] == 5
    assert by_number["00002"]["kind"] == CertificateKind.GI and by_number["00002"]["valid_until"] is None
    assert (
        by_number["00002"]["url"]
        == "http://testserver" + f"/certificates/{by_number['00002']['url'].rsplit('/', 2)[-2]}/"
    )
    assert item["is_synthetic"] is False


def test_a_product_without_a_current_rating_has_null(client):
    f.product()
    assert api(client)["results"][0]["rating"] is None


def test_pages_link_to_each_other_with_the_filters(client, big):
    first = api(client, {"stars": "3", "province": "son-la"})
    assert (first["count"], first["page"], first["pages"], first["page_size"]) == (30, 1, 1, 50)
    assert first["next"] is None and first["previous"] is None
    everything = api(client)
    assert (everything["count"], everything["pages"]) == (60, 2)
    assert everything["next"] == "http://testserver/api/products/?page=2"
    second = api(client, {"page": "2"})
    assert len(second["results"]) == 10
    assert second["previous"] == "http://testserver/api/products/"
    response = client.get("/api/products/", {"stars": "3"})
    assert response["Link"] == '<http://testserver/api/products/?stars=3&page=2>; rel="next"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Robots-Tag"] == "noindex"


def test_what_is_not_understood_is_listed_not_refused(client, big):
    data = api(client, {"stars": "9", "province": "atlantis", "page": "999", "colour": "đỏ"})
    assert data["count"] == 60
    assert data["page"] == 2  # clamped to the last page
    ignored = {(item["parameter"], item["label"], item["value"]) for item in data["ignored"]}
    # `parameter` is the query parameter a program sent, `label` what a person reads.
    assert ("stars", "Hạng sao OCOP", "9") in ignored
    assert ("province", "Tỉnh, thành phố", "atlantis") in ignored
    assert ("page", "trang", "999") in ignored
    assert ("colour", "tham số không rõ", "colour") in ignored
    assert len(ignored) == 4


def test_english_labels_and_links(client, big):
    data = api(client, {"stars": "9"}, path="/en/api/products/")
    assert data["results"][0]["url"].startswith("http://testserver/en/products/")
    assert data["ignored"] == [{"parameter": "stars", "label": "OCOP stars", "value": "9"}]


def test_only_get(client):
    assert client.post("/api/products/").status_code == 405


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/api/products/?stars=3&cert=gi&sort=-stars", "/api/products/?q=san+pham", "/open-data/"]
)
def test_queries_do_not_grow_with_the_data(client, url):
    made = catalogue(3)
    small = _count(client, url)
    catalogue(40)
    product = made["son-la"][0]
    for i in range(4):
        f.entry(f.certificate(CertificateKind.GI, title=f"Chỉ dẫn thêm {i}"), product)
    assert _count(client, url) == small
    assert small <= 7


def test_the_open_data_page_documents_every_parameter_and_links_to_examples(client):
    page = client.get("/open-data/").content.decode()
    for name in ("q", "province", "group", "category", "stars", "cert", "producer_kind", "sort", "page"):
        assert f"<code>{name}</code>" in page
    for value in ("-stars", "newest", "gi", "certification_mark", "household"):
        assert f"<code>{value}</code>" in page
    assert 'href="http://testserver/api/products/?stars=4"' in page
    assert "export_open_data" in page
    assert f"Mỗi trang có {api_views.API_PAGE_SIZE} sản phẩm" in re.sub(r"\s+", " ", page)
    assert 'href="/open-data/"' in client.get("/").content.decode()  # linked from the footer


@pytest.fixture
def rated_product():
    return f.rated_product(stars=4)


NASTY = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        ["", "\x00", "-1", "0", "99999999999999999999", "1e9999", "NaN", "４", "' OR 1=1 --", "%", "x" * 5000]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "q",
                    "province",
                    "group",
                    "category",
                    "stars",
                    "cert",
                    "producer_kind",
                    "sort",
                    "page",
                    "x",
                    "page_size",
                ]
            ),
            NASTY,
        ),
        max_size=8,
    )
)
def test_bad_parameters_never_give_an_error(client, rated_product, params):
    query = {}
    for key, value in params:
        query.setdefault(key, []).append(value)
    response = client.get("/api/products/", query)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["page"] >= 1 and isinstance(data["results"], list)
