"""HTTP caching of the public pages: anonymous visitors get cookie-free pages that browsers, the nginx
micro-cache or a CDN may keep a short while; canonical query strings; staff never get a shared page."""

import re

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["cache-on", "cache-off"])
def catalogue_cache(request, settings):
    settings.CATALOGUE_CACHE = request.param
    return request.param


@pytest.fixture
def catalogue():
    product = f.rated_product(stars=4, name="Chè Shan tuyết Mộc Châu")
    certificate = product.entries.get().certificate
    return product, certificate


def public_paths(product, certificate):
    return [
        "/",
        "/en/",
        "/products/",
        "/products/?stars=4&province=son-la",
        "/products/?q=che+shan",
        product.get_absolute_url(),
        "/en" + product.get_absolute_url(),
        product.producer.get_absolute_url(),
        "/producers/",
        "/provinces/",
        "/provinces/son-la/",
        "/certificates/",
        certificate.get_absolute_url(),
        f"/certificates/verify/?number={certificate.number}",
        "/sitemap.xml",
        "/sitemap-products.xml",
        "/open-data/",
        "/api/products/?province=son-la",
    ]


def test_every_public_page_type_is_public_and_sets_no_cookie(client, catalogue_cache, catalogue):
    for path in public_paths(*catalogue):
        for _round in range(2):  # built, then (cache on) served from the shared cache
            response = client.get(path)
            assert response.status_code == 200, path
            assert not response.cookies, path
            assert re.fullmatch(r"public, max-age=\d+, stale-while-revalidate=\d+", response["Cache-Control"]), path
            assert response["ETag"], path
            vary = [value.strip() for value in response.get("Vary", "").split(",")]
            assert "Cookie" in vary and "Accept-Language" not in vary, (path, vary)
            assert "csrfmiddlewaretoken" not in response.content.decode(), path
        assert not client.cookies, path


def test_a_matching_if_none_match_gets_304(client, catalogue_cache, catalogue):
    product, _certificate = catalogue
    path = product.get_absolute_url()
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_ignored_parameters_give_the_canonical_page_and_its_cache_entry(client, settings, catalogue):
    settings.CATALOGUE_CACHE = True
    canonical = client.get("/products/?province=son-la&stars=4")
    assert canonical["X-Catalogue-Cache"] == "miss"
    for variant in (
        "/products/?stars=4&province=son-la",
        "/products/?province=son-la&stars=4&utm_source=zalo&utm_medium=share",
        "/products/?province=son-la&stars=4&fbclid=abc&page=01",
        "/products/?province=son-la&province=son-la&stars=4&q=&page=1",
    ):
        response = client.get(variant)
        assert response["X-Catalogue-Cache"] == "hit", variant
        assert response.content == canonical.content, variant
        assert response["ETag"] == canonical["ETag"], variant
    assert client.get("/products/?province=son-la&stars=5")["X-Catalogue-Cache"] == "miss"


@pytest.mark.parametrize("search_index", [True, False], ids=["index", "database"])
def test_without_the_page_cache_pages_are_built_each_time_and_shared_pieces_stay_cached(
    client, settings, monkeypatch, catalogue, search_index
):
    """The lists' shared piece: the search index (kept by the process), or without it the national cube."""
    from products import facets
    from products import search_index as index_module

    settings.CATALOGUE_CACHE = True
    settings.CATALOGUE_PAGE_CACHE = False
    settings.SEARCH_INDEX = search_index
    built, original = [], facets.build_cube
    monkeypatch.setattr(facets, "build_cube", lambda products, day: built.append(day) or original(products, day))
    builds = index_module.PUBLISHED.builds
    for path in ("/products/?stars=4", "/products/?stars=4", "/products/?province=son-la"):
        response = client.get(path)
        assert response.status_code == 200 and "X-Catalogue-Cache" not in response, path
        assert response["Cache-Control"].startswith("public"), path  # still for HTTP caches
        assert catalogue[0].name in response.content.decode(), path
    # One index, or one national cube, for the three pages.
    assert (index_module.PUBLISHED.builds - builds, len(built)) == ((1, 0) if search_index else (0, 1))


def test_page_numbers_with_leading_zeros_are_the_same_page(client, settings, catalogue):
    settings.CATALOGUE_CACHE = True
    for number in range(30):
        f.product(name=f"Sản phẩm {number:02d}")
    second = client.get("/products/?page=2")
    assert second["X-Catalogue-Cache"] == "miss"
    assert client.get("/products/?page=02")["X-Catalogue-Cache"] == "hit"
    assert client.get("/products/?page=002&utm_campaign=tet")["X-Catalogue-Cache"] == "hit"


def test_staff_and_visitors_with_a_session_never_get_a_shared_page(client, settings, admin_user, catalogue):
    settings.CATALOGUE_CACHE = True
    product, _certificate = catalogue
    path = product.get_absolute_url()
    client.get(path)
    client.force_login(admin_user)
    for _round in range(2):
        response = client.get(path)
        assert "X-Catalogue-Cache" not in response
        assert response["Cache-Control"] == "private, no-cache"
    admin = client.get("/admin/")
    assert "private" in admin["Cache-Control"] and "public" not in admin["Cache-Control"]


def test_a_buyer_with_a_shortlist_gets_their_own_pages(settings, catalogue):
    settings.CATALOGUE_CACHE = True
    product, _certificate = catalogue
    buyer = Client()
    assert buyer.get("/products/")["Cache-Control"].startswith("public")
    buyer.post("/shortlist/add/", {"product": product.slug, "next": "/products/"})
    listed = buyer.get("/products/")
    assert listed["Cache-Control"] == "private, no-cache"
    assert "Đã chọn · Bỏ chọn" in listed.content.decode()
    # Everyone else still gets the public page, without the buyer's choice.
    anonymous = Client().get("/products/")
    assert anonymous["Cache-Control"].startswith("public")
    assert "Đã chọn · Bỏ chọn" not in anonymous.content.decode()


def test_pages_of_one_object_are_kept_shorter_than_pages_over_the_whole_catalogue(client, settings, catalogue):
    product, _certificate = catalogue
    settings.CATALOGUE_HTTP_MAX_AGE, settings.CATALOGUE_HTTP_NATIONAL_MAX_AGE, settings.CATALOGUE_HTTP_STALE = 5, 20, 10
    assert client.get(product.get_absolute_url())["Cache-Control"] == "public, max-age=5, stale-while-revalidate=10"
    assert client.get("/")["Cache-Control"] == "public, max-age=20, stale-while-revalidate=10"
    assert client.get("/products/?province=son-la")["Cache-Control"] == "public, max-age=20, stale-while-revalidate=10"


def test_errors_and_posts_are_not_public(client, catalogue):
    missing = client.get("/products/khong-co-san-pham-nay/")
    assert missing.status_code == 404
    assert "public" not in missing.get("Cache-Control", "")
    refused = client.post("/products/")
    assert refused.status_code == 405
    assert "public" not in refused.get("Cache-Control", "")
