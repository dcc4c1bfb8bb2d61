"""Site-wide pages: home, robots.txt, sitemap, error pages, the base template's promises."""

import re

import pytest
from django.template import loader
from django.test import override_settings

from tests import factories as f
from tests.site.builders import catalogue

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_home_has_search_featured_recent_and_provinces(client):
    made = catalogue(3, provinces=("son-la",))
    five_star = made["son-la"][2]  # rated 5 stars
    content = html(client.get("/"))
    assert 'action="/products/"' in content and 'name="q"' in content
    featured = content.split('id="featured-title"')[1].split("</section>")[0]
    assert five_star.name in featured
    assert made["son-la"][0].name not in featured  # 3 stars
    recent = content.split('id="recent-title"')[1].split("</section>")[0]
    assert all(p.name in recent for p in made["son-la"])
    provinces = content.split('id="provinces-title"')[1].split("</section>")[0]
    # Each unit twice: a tile of the map and an entry of the list.
    assert len(set(re.findall(r'href="/provinces/[a-z-]+/"', provinces))) == 34
    assert (
        len(re.findall(r'<a href="/provinces/[a-z-]+/" aria-label="[^"]+: \d+ sản phẩm có hạng OCOP', provinces)) == 34
    )
    assert re.search(r'href="/provinces/son-la/"><span>Sơn La</span> <span class="count">3</span>', provinces)
    assert 'action="/certificates/verify/"' in content


def test_base_template_promises(client):
    f.product()
    for url in ("/", "/products/", "/provinces/son-la/", "/certificates/", "/certificates/verify/"):
        content = html(client.get(url))
        assert '<html lang="vi">' in content
        assert 'class="skip-link" href="#main"' in content and '<main id="main"' in content
        assert 'hreflang="en"' in content and 'hreflang="vi"' in content
        assert '<link rel="canonical"' in content
        assert 'rel="stylesheet" href="/static/css/site.css"' in content
        # A strict CSP will be switched on: no inline script or style anywhere.
        assert not re.search(r"<script(?![^>]*(\bsrc=|application/ld\+json))", content), url
        assert "style=" not in content and "<style" not in content, url
        for img in re.findall(r"<img\b[^>]*>", content):
            assert "alt=" in img and "width=" in img and "height=" in img, img


def test_language_switch_links_to_the_same_page_in_english(client):
    path = f.product().get_absolute_url()
    content = html(client.get(path + "?x=1"))
    assert f'href="/en{path}?x=1" hreflang="en" lang="en"' in content
    english = html(client.get("/en" + path))
    assert '<html lang="en">' in english
    assert f'href="{path}" hreflang="vi" lang="vi"' in english


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_public_pages_in_both_languages(client):
    shown = f.product()
    hidden = f.product(is_published=False)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = re.findall(r"<loc>([^<]+)</loc>", index.content.decode())
    assert any("sitemap-products.xml" in s for s in sections)
    body = client.get("/sitemap-products.xml").content.decode()
    assert f"http://testserver{shown.get_absolute_url()}" in body
    assert f"http://testserver/en{shown.get_absolute_url()}" in body
    assert hidden.get_absolute_url() not in body
    provinces = client.get("/sitemap-provinces.xml").content.decode()
    assert provinces.count("<url>") == 2 * 34
    for section in ("pages", "producers", "certificates"):
        assert client.get(f"/sitemap-{section}.xml").status_code == 200


def test_sitemap_pages_read_their_own_rows_not_the_whole_table(client, monkeypatch):
    """At 100,000 products Django's i18n sitemap loaded every product for the index and for each page
    (seconds and tens of MB per request, found by `make load`): pages read a slice, the index a COUNT and a MAX."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ocop_catalogue.sitemaps import ProductSitemap

    products = [f.product() for _ in range(5)]
    monkeypatch.setattr(ProductSitemap, "limit", 4)  # two products a page, each in both languages
    with CaptureQueriesContext(connection) as queries:
        index = client.get("/sitemap.xml").content.decode()
        pages = [client.get("/sitemap-products.xml", {"p": n}) for n in (1, 2, 3)]
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "products_product"' in q["sql"]]
    assert reads and all(any(m in sql for m in ("LIMIT", "COUNT(", "MAX(")) for sql in reads), reads
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert client.get("/sitemap-products.xml", {"p": 4}).status_code == 404
    assert "sitemap-products.xml?p=3</loc>" in index and "sitemap-products.xml?p=4" not in index
    latest = max(p.updated_at for p in products)
    assert f"<lastmod>{latest.astimezone():%Y-%m-%dT%H:%M:%S}" in index
    listed = [loc for page in pages for loc in re.findall(r"<loc>([^<]+)</loc>", page.content.decode())]
    expected = [f"http://testserver{prefix}{p.get_absolute_url()}" for p in products for prefix in ("", "/en")]
    assert listed == expected  # every product in both languages, once, in order, across the pages


def test_unknown_sitemap_section_or_page_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-products.xml", {"p": "abc"}).status_code == 404
    assert client.get("/sitemap-products.xml", {"p": "99999"}).status_code == 404


def test_404_page_is_in_the_site_style(client):
    response = client.get("/products/khong-co-san-pham-nay/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Không tìm thấy trang này" in content
    assert 'class="site-header"' in content and 'name="q"' in content


@override_settings(DEBUG=False)
def test_500_page_renders_without_a_request():
    content = loader.get_template("500.html").render({})
    assert "Xin lỗi, đã có lỗi ở máy chủ" in content
    assert "/static/css/site.css" in content


def test_healthz_still_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
