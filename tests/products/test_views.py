"""The product list, the product page, its QR code and printable label (the exports: tests/trade)."""

import datetime
import io
import json
import re
from xml.etree import ElementTree

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from core.validity import today
from products.images import thumbnail_name
from tests import factories as f
from tests.site.builders import add_photos, catalogue, jpeg

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def days(n):
    return today() + datetime.timedelta(days=n)


# --- List ------------------------------------------------------------------------------------------


def test_list_shows_published_products_with_a_count(client):
    shown = f.product(name="Chè Shan tuyết Mộc Châu")
    f.product(name="Sản phẩm ẩn", is_published=False)
    content = html(client.get("/products/"))
    assert shown.name in content
    assert "Sản phẩm ẩn" not in content
    assert "1 sản phẩm" in content


def test_list_facets_show_counts_and_ticked_options(client):
    catalogue(3)
    content = html(client.get("/products/", {"province": "son-la", "stars": "4"}))
    # Tuyên Quang is not ticked but shows what it would give with stars=4 held (products 2 and 3 of 3).
    assert re.search(
        r'value="tuyen-quang">\s*<span class="opt-label">Tuyên Quang</span>\s*<span class="opt-count">2<', content
    )
    assert re.search(r'value="son-la" checked>', content)
    assert re.search(r'name="stars" value="4" checked>', content)


def test_pagination_keeps_the_filters(client):
    catalogue(14)  # 28 products, more than a page
    content = html(client.get("/products/", {"stars": "3", "province": ["son-la", "tuyen-quang"]}))
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', content)
    assert links
    link = links[0].replace("&amp;", "&")
    assert "stars=3" in link and "province=son-la" in link and "province=tuyen-quang" in link
    second = html(client.get("/products/" + link))
    assert "trang 2/2" in second


def test_chips_link_to_the_list_without_that_filter(client):
    catalogue(2)
    content = html(client.get("/products/", {"province": "son-la", "cert": "gi"}))
    assert 'class="chip" href="?cert=gi"' in content
    assert 'class="chip" href="?province=son-la"' in content


def test_unknown_values_are_named_in_a_notice(client):
    catalogue(2)
    content = html(client.get("/products/", {"province": "atlantis", "stars": "7", "page": "abc"}))
    assert "đã được bỏ qua" in content
    for value in ("atlantis", "7", "abc"):
        assert f"“{value}”" in content


def test_an_empty_result_suggests_what_to_relax(client):
    catalogue(2)
    content = html(client.get("/products/", {"province": "son-la", "cert": "collective_mark"}))
    assert "Không tìm thấy sản phẩm nào" in content
    assert "Bỏ “Chứng nhận”: 2 sản phẩm" in content


def test_lists_load_small_thumbnails_lazily_with_dimensions(client):
    product = f.product(name="Có ảnh")
    product.image.save("main.jpg", jpeg(1600, 1200), save=True)
    f.product(name="Không ảnh")
    content = html(client.get("/products/"))
    imgs = re.findall(r"<img [^>]*class=\"photo photo-card[^\"]*\"[^>]*>", content)
    assert len(imgs) == 2
    for img in imgs:
        assert 'width="480"' in img and 'height="360"' in img and 'loading="lazy"' in img and "alt=" in img
    assert any(thumbnail_name(product.image.name, "card") in img for img in imgs)
    assert any("/static/img/category/che.svg" in img for img in imgs)


def test_thumbnails_are_made_at_the_sizes_pages_use():
    product = f.product()
    product.image.save("wide.jpg", jpeg(2000, 1000), save=True)
    with default_storage.open(thumbnail_name(product.image.name, "card")) as handle:
        assert Image.open(handle).size == (480, 360)
    with default_storage.open(thumbnail_name(product.image.name, "large")) as handle:
        assert Image.open(handle).size == (1200, 600)


def test_a_transparent_png_gets_a_white_background():
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    product = f.product()
    product.image.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    with default_storage.open(thumbnail_name(product.image.name, "card")) as handle:
        image = Image.open(handle)
        assert image.mode == "RGB"
        assert image.getpixel((240, 180)) == (255, 255, 255)


# --- Product page ----------------------------------------------------------------------------------


@pytest.fixture
def rated():
    producer = f.producer(
        name="HTX Nông sản Phú Lương",
        province_slug="thai-nguyen",
        address="xã Phú Lương",
        phone="0208 123 456",
        email="phuluong@example.vn",
        website="https://phuluong.example.vn",
    )
    product = f.product(name="Trà tôm nõn hương quê", producer_obj=producer, description="Trà xanh Thái Nguyên.")
    current = f.certificate("ocop", issued_on=days(-60), number="2361/QĐ-BNNMT", issuer="Bộ Nông nghiệp và Môi trường")
    f.entry(current, product, stars=4)
    return product, current


def test_product_page_shows_the_rating_producer_and_certificates(client, rated):
    product, current = rated
    content = html(client.get(product.get_absolute_url()))
    rating = re.search(r'<span class="rating rating-large">(.*?)</span></span>', content, re.S)
    assert rating and "4 sao" in re.sub(r"<[^>]+>", "", rating.group(1))
    for text in ("HTX Nông sản Phú Lương", "0208 123 456", "phuluong@example.vn", "xã Phú Lương", "Thái Nguyên"):
        assert text in content
    assert "2361/QĐ-BNNMT" in content
    assert "Bộ Nông nghiệp và Môi trường" in content
    assert current.issued_on.strftime("%d/%m/%Y") in content
    assert current.valid_until.strftime("%d/%m/%Y") in content
    assert "còn hiệu lực" in content


def test_product_page_says_each_status_in_words(client):
    product = f.product()
    f.entry(f.certificate("ocop", issued_on=days(-1000), valid_until=days(30)), product, stars=3)
    f.entry(f.certificate("ocop", issued_on=days(-1200), valid_until=days(-1)), product, stars=4)
    f.entry(f.certificate("ocop", issued_on=days(-1100), revoked_on=days(-5)), product, stars=5)
    content = html(client.get(product.get_absolute_url()))
    for words in ("sắp hết hạn", "đã được thay thế", "đã thu hồi"):
        assert f'<span class="status-text">{words}</span>' in content
    # The current rating is the latest decision's expiring 3 stars: neither the replaced 4 nor the revoked 5.
    assert re.search(r'rating-large">.*?3 sao', content, re.S)


def test_an_entry_that_expired_yesterday_is_not_shown_as_valid(client):
    product = f.product()
    f.entry(f.certificate("ocop", issued_on=days(-1100), valid_until=days(-1)), product, stars=4)
    content = html(client.get(product.get_absolute_url()))
    assert "còn hiệu lực</span>" not in content
    assert '<span class="status-text">hết hạn</span>' in content
    assert "Chưa có hạng OCOP còn hiệu lực" in content
    assert 'class="rating rating-large"' not in content


def test_a_revoked_entry_shows_da_thu_hoi(client):
    product = f.product()
    cert = f.certificate("ocop", issued_on=days(-100))
    f.entry(cert, product, stars=4, revoked_on=days(-2), revocation_reason="Không duy trì tiêu chí")
    content = html(client.get(product.get_absolute_url()))
    assert '<span class="status-text">đã thu hồi</span>' in content
    assert "Không duy trì tiêu chí" in content
    assert "Chưa có hạng OCOP còn hiệu lực" in content


def test_a_certificate_naming_a_former_province_shows_it(client):
    product = f.product(producer_obj=f.producer(province_slug="quang-ngai"))
    gi = f.certificate("gi", province_slug="quang-ngai", number="00049", title="Ngọc Linh")
    gi.former_province = f.province("kon-tum")
    gi.save()
    f.entry(gi, product, right_of_use_number="92/QĐ-SKHCN")
    content = html(client.get(product.get_absolute_url()))
    assert "Kon Tum (nay thuộc Quảng Ngãi)" in content
    assert "92/QĐ-SKHCN" in content
    assert "không thời hạn" in content


def test_product_page_has_json_ld_open_graph_and_canonical(client, rated):
    product, current = rated
    product.image.save("main.jpg", jpeg(), save=True)
    content = html(client.get(product.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Product"
    assert data["name"] == product.name
    assert data["url"] == "http://testserver" + product.get_absolute_url()
    assert data["manufacturer"]["name"] == "HTX Nông sản Phú Lương"
    (certification,) = data["hasCertification"]
    assert certification["certificationIdentification"] == "2361/QĐ-BNNMT"
    assert certification["certificationRating"]["ratingValue"] == 4
    assert certification["certificationStatus"].endswith("CertificationActive")
    assert certification["expires"] == current.valid_until.isoformat()
    assert f'<link rel="canonical" href="http://testserver{product.get_absolute_url()}">' in content
    assert '<meta property="og:title" content="Trà tôm nõn hương quê · 4 sao OCOP">' in content
    # The share image (1200 x 630, drawn by ocop_catalogue/share_images.py), not the photo of any size.
    assert f'property="og:image" content="http://testserver/share/products/{product.slug}.png"' in content
    assert '<meta property="og:image:width" content="1200">' in content
    assert "<script>" not in content and 'style="' not in content


def test_json_ld_cannot_break_out_of_its_script(client):
    product = f.product(name="</script><script>alert(1)</script>")
    content = html(client.get(product.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == product.name


def test_photos_and_related_products(client, rated):
    product, _current = rated
    add_photos(product, 2)
    sibling = f.product(name="Chè búp tím", producer_obj=product.producer)
    same_kind = f.product(name="Chè đinh", category_obj=product.category)
    f.product(name="Mật ong", category_obj=f.category("Mật ong"))
    content = html(client.get(product.get_absolute_url()))
    assert content.count('alt="Ảnh ') == 2
    assert sibling.name in content and same_kind.name in content
    assert "Mật ong" not in content.split("Sản phẩm liên quan")[1]


def test_unpublished_product_is_not_found(client):
    product = f.product(is_published=False)
    assert client.get(product.get_absolute_url()).status_code == 404


def test_qr_code_is_an_svg_of_the_page_address(client, rated):
    product, _current = rated
    response = client.get(product.get_absolute_url() + "qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert any(el.tag == "{http://www.w3.org/2000/svg}path" for el in root.iter())
    assert root.find("{http://www.w3.org/2000/svg}title").text == product.name


def test_printable_label_has_the_qr_code_and_certificates(client, rated):
    product, current = rated
    content = html(client.get(product.get_absolute_url() + "label/"))
    assert f'src="{product.get_absolute_url()}qr.svg"' in content
    assert "2361/QĐ-BNNMT" in content
    assert "http://testserver" + product.get_absolute_url() in content
    assert re.search(r'class="label-qr"[^>]*width="\d+" height="\d+"', content)


def test_deep_pages_are_capped_with_a_notice(client, monkeypatch):
    from products import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "MAX_PAGES", 3)
    catalogue(5)  # 10 products: 5 pages of 2, capped at 3
    content = html(client.get("/products/", {"page": "3"}))
    assert "Chỉ hiển thị 3 trang đầu" in content
    assert 'rel="next"' not in content
    pages = re.findall(r'<span class="visually-hidden">Trang </span>(\d+)</a>', content)
    assert pages and max(int(n) for n in pages) <= 3
    clamped = html(client.get("/products/", {"page": "5"}))
    assert 'aria-current="page">3<' in clamped
    assert "“5”" in clamped


def test_related_products_are_the_producers_then_the_neighbours_a_to_z_wrapping():
    from products.views import related_products

    tea = f.category("Chè")
    product = f.product(name="Chè M", category_obj=tea)
    own = [f.product(name=name, producer_obj=product.producer, category_obj=f.category("Mật ong")) for name in "BA"]
    f.product(name="Chè ẩn", category_obj=tea, is_published=False)
    after = [f.product(name=f"Chè {letter}", category_obj=tea) for letter in "PN"]
    before = f.product(name="Chè B", category_obj=tea)
    assert [p.name for p in related_products(product)] == [own[1].name, own[0].name, after[1].name, after[0].name]
    # Fewer neighbours after the product: the list wraps to the start of the category.
    after[0].delete()
    after[1].delete()
    assert [p.name for p in related_products(product)] == [own[1].name, own[0].name, before.name]
