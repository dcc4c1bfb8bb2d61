"""Provinces (list, page with figures and GIs, former units) and producers (list, page)."""

import datetime
import re

import pytest

from tests import factories as f
from tests.site.builders import catalogue

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_provinces_list_has_34_current_units_with_counts_and_former_ones(client):
    catalogue(2, provinces=("son-la",))
    content = html(client.get("/provinces/"))
    assert len(re.findall(r'<li class="province-card', content)) == 34
    son_la = re.search(
        r'<li class="province-card">\s*<h2><a href="/provinces/son-la/">Tỉnh Sơn La</a>.*?</li>', content, re.S
    )
    assert son_la and "2 sản phẩm" in son_la.group(0) and "1 chỉ dẫn địa lý, nhãn hiệu" in son_la.group(0)
    tuyen_quang = re.search(r'href="/provinces/tuyen-quang/">.*?</li>', content, re.S).group(0)
    assert "Gồm cả:" in tuyen_quang and "Hà Giang" in tuyen_quang


def test_province_page_has_products_figures_titles_and_links(client):
    made = catalogue(3, provinces=("son-la",))
    content = html(client.get("/provinces/son-la/"))
    for product in made["son-la"]:
        assert product.name in content
    assert "Chỉ dẫn son-la" in content  # the province's GI
    assert 'href="/products/?province=son-la&amp;stars=4"' in content
    chart = re.search(r'<svg class="chart chart-stars".*?</svg>', content, re.S).group(0)
    assert 'role="img"' in chart
    # 3 products rated 3, 4 and 5 stars: one column each, plus "no rating" at 0.
    assert re.findall(r'class="chart-count">(\d+)<', chart) == ["1", "1", "1", "0"]
    assert "Thực phẩm" in re.search(r'<table class="bars">.*?</table>', content, re.S).group(0)


def test_province_page_offers_four_stars_and_up_only_when_there_are_some(client):
    product = f.product(name="Măng khô Sơn La")
    issued = datetime.date.today() - datetime.timedelta(days=30)
    f.entry(f.certificate("ocop", province_slug="son-la", issued_on=issued), product, stars=3)
    content = html(client.get("/provinces/son-la/"))
    assert "Sản phẩm từ 4 sao trở lên" not in content
    # The chart's links lead only to lists with something in them.
    assert "province=son-la&amp;stars=4" not in content and "province=son-la&amp;stars=5" not in content
    assert 'href="/products/?province=son-la&amp;stars=3">Xem sản phẩm 3 sao</a>' in content
    assert '<a class="button" href="/products/?province=son-la">' in content  # the whole list is the way in


def test_merged_province_lists_its_former_units(client):
    content = html(client.get("/provinces/tuyen-quang/"))
    assert "Từ ngày 1/7/2025 gồm cả địa bàn của" in content
    assert "<strong>Hà Giang</strong>" in content


def test_former_province_url_redirects_to_its_current_unit(client):
    response = client.get("/provinces/ha-giang/")
    assert response.status_code == 301
    assert response["Location"] == "/provinces/tuyen-quang/"
    response = client.get("/en/provinces/yen-bai/")
    assert response["Location"] == "/en/provinces/lao-cai/"


def test_unknown_province_is_404(client):
    assert client.get("/provinces/atlantis/").status_code == 404


def test_province_gi_shows_the_former_province_the_document_names(client):
    gi = f.certificate("gi", province_slug="tuyen-quang", number="00069", title="Hà Giang")
    gi.former_province = f.province("ha-giang")
    gi.save()
    content = html(client.get("/provinces/tuyen-quang/"))
    assert "Số 00069" in content
    assert "văn bản ghi Hà Giang" in content


def test_producers_list_filters_by_province_kind_and_name(client):
    catalogue(3)
    named = f.producer(name="HTX Chè Đồng Tâm", province_slug="son-la", kind="cooperative")
    f.product(producer_obj=named, name="Chè búp")
    content = html(client.get("/producers/", {"province": "son-la", "kind": "cooperative"}))
    assert "HTX Chè Đồng Tâm" in content
    assert content.count('<li>\n      <h2><a href="/producers/') == 2
    searched = html(client.get("/producers/", {"q": "dong tam"}))
    assert "HTX Chè Đồng Tâm" in searched and "1 chủ thể" in searched


def test_producer_page_has_kind_contact_products_and_certificates(client):
    producer = f.producer(
        name="Công ty TNHH Trà Vinh FARM",
        province_slug="vinh-long",
        kind="enterprise",
        address="xã Phú Cần, Tiểu Cần",
        phone="0294 3 123 456",
        email="info@example.vn",
        website="https://travinhfarm.example.vn",
    )
    product = f.product(name="Mật hoa dừa", producer_obj=producer)
    hidden = f.product(name="Sản phẩm ẩn", producer_obj=producer, is_published=False)
    decision = f.certificate("ocop", province_slug="vinh-long", number="12/QĐ-BNN")
    f.entry(decision, product, stars=5)
    f.entry(decision, hidden, stars=4)
    content = html(client.get(producer.get_absolute_url()))
    for text in ("Doanh nghiệp", "xã Phú Cần, Tiểu Cần", "0294 3 123 456", "info@example.vn", "Vĩnh Long"):
        assert text in content
    assert 'href="tel:02943123456"' in content
    assert "Mật hoa dừa" in content and "12/QĐ-BNN" in content
    assert "Sản phẩm ẩn" not in content


def test_producer_page_shows_the_former_province(client):
    producer = f.producer(province_slug="vinh-long")
    producer.former_province = f.province("tra-vinh")
    producer.save()
    assert "(trước đây: Trà Vinh)" in html(client.get(producer.get_absolute_url()))
