"""Nothing a visitor can put in a URL gives a server error.

Explicit cases first (non-numbers, out-of-range and unknown values for every parameter, a
10,000-character q, NUL and control characters, repeated parameters, negative and huge pages),
then hypothesis generating requests for every public URL.
"""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.site.builders import catalogue

pytestmark = pytest.mark.django_db

OK = {200, 301, 302, 404}
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\u202e\u200b\ufeff",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e9999",
    "NaN",
    "3.5",
    "４",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "đ" * 300,
    "x" * 10_000,
]
# Every public URL with the query parameters it reads.
PARAMETERS = {
    "/": [],
    "/products/": ["q", "province", "group", "category", "stars", "cert", "producer_kind", "sort", "page"],
    "/products/export.csv": ["q", "province", "group", "category", "stars", "cert", "producer_kind", "sort"],
    "/provinces/": [],
    "/provinces/son-la/": [],
    "/producers/": ["q", "province", "kind", "page"],
    "/certificates/": ["kind", "province", "status", "page"],
    "/certificates/verify/": ["number"],
    "/sitemap.xml": [],
    "/sitemap-products.xml": ["p"],
    "/robots.txt": [],
}


@pytest.fixture
def world():
    made = catalogue(3)
    product = made["son-la"][0]
    return {
        "product": product.get_absolute_url(),
        "producer": product.producer.get_absolute_url(),
        "certificate": product.entries.first().certificate.get_absolute_url(),
    }


def urls(world):
    return [
        *PARAMETERS,
        world["product"],
        world["product"] + "label/",
        world["product"] + "qr.svg",
        world["producer"],
        world["certificate"],
    ]


def get(client, path, data=None):
    response = client.get(path, data or {})
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code in OK, (path, data, response.status_code)
    return response


@pytest.mark.parametrize("value", NASTY)
def test_every_parameter_of_every_page_takes_nasty_values(client, world, value):
    for path in urls(world):
        names = PARAMETERS.get(path, []) + ["zzz"]
        get(client, path, dict.fromkeys(names, value))
        get(client, "/en" + path if not path.startswith(("/sitemap", "/robots")) else path, {names[0]: value})


def test_repeated_parameters(client, world):
    data = {
        name: ["son-la", "4", "", "x", "son-la", "99999999999999999999"]
        for name in PARAMETERS["/products/"] + ["kind", "status", "number"]
    }
    for path in urls(world):
        get(client, path, data)


@pytest.mark.parametrize("page", ["-1", "0", "abc", "2.5", "99999999999999999999999", "2", "1"])
def test_pages_out_of_range_show_a_real_page(client, world, page):
    for path in ("/products/", "/producers/", "/certificates/"):
        response = get(client, path, {"page": page})
        assert response.status_code == 200


def test_a_ten_thousand_character_query(client, world):
    response = get(client, "/products/", {"q": "chè " * 2500})
    assert response.status_code == 200
    assert "phần sau ký tự thứ 200" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/products/%00/",
        "/products/%E2%80%AE/",
        "/products/" + "a" * 5000 + "/",
        "/provinces/%00/",
        "/producers/%FF%FE/",
        "/certificates/-1/",
        "/certificates/1e9/",
        "/certificates/999999999999999999/",
        "/certificates/9999999999999999999999999/",
        "/en/products/%00/label/",
        "/products/..%2F..%2Fetc/qr.svg",
    ],
)
def test_bad_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_post_to_a_page_is_refused_cleanly(client, world):
    for path in ("/products/", "/certificates/verify/", world["product"]):
        assert client.post(path, {"q": "x"}).status_code in (403, 405)


# --- Generated requests --------------------------------------------------------------------------------

values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(NASTY[:-1]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        ["son-la", "ha-giang", "che", "1", "6", "3", "5", "gi", "ocop", "cooperative", "-stars", "newest", "valid"]
    ),
)
query = st.dictionaries(
    st.one_of(st.sampled_from(sorted({p for ps in PARAMETERS.values() for p in ps} | {"kind"})), st.text(max_size=8)),
    st.lists(values, min_size=1, max_size=3),
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=query, index=st.integers(min_value=0), english=st.booleans())
def test_generated_requests_never_fail(client, world, data, index, english):
    paths = urls(world)
    path = paths[index % len(paths)]
    if english and not path.startswith(("/sitemap", "/robots")):
        path = "/en" + path
    get(client, path, data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    segment=st.text(min_size=1, max_size=40),
    prefix=st.sampled_from(["products", "provinces", "producers", "certificates"]),
)
def test_generated_paths_never_fail(client, world, segment, prefix):
    response = client.get(f"/{prefix}/{quote(segment, safe='')}/")
    assert response.status_code in OK
