"""Server-side pieces of the phone-first catalogue: the drawings on disk match the code, share images
(size, ETag, disk cache), favicon and manifest, the map's tiles and shades, the home's examples and
kind counts, the register's matches on an empty search, the same-name confirmation of a decision, the
Vietnamese admin banner, the honest enquiry confirmation."""

import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ocop_catalogue.province_map import TILES, shade_of, shade_steps
from ocop_catalogue.register_matches import register_matches
from ocop_catalogue.views import kind_count_label
from producers.models import Province
from products.pictures import all_names, picture_name, svg
from tests import factories as f
from tests.trade.trade_world import build_trade_world, buyer_data, enquiry_url, new_address, post, text

pytestmark = pytest.mark.django_db


def test_the_drawings_on_disk_are_those_of_the_code_and_tea_is_not_a_bowl():
    folder = Path(settings.BASE_DIR) / "static" / "img" / "category"
    for name in all_names():
        assert (folder / name).read_text(encoding="utf-8") == svg(name), f"run manage.py draw_pictures ({name})"
    assert picture_name("che", 1) == "che.svg" and picture_name("a-new-kind", 4) == "group-4.svg"
    assert "<polygon" in svg("che.svg") and "<ellipse" not in svg("che.svg")  # leaves, no bowl


def png_size(body):
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", body[16:24])


def test_share_images_are_1200_by_630_cached_on_disk_and_revalidated(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = f.product("Chè Shan tuyết Tà Xùa")
    response = client.get(f"/share/products/{product.slug}.png")
    assert response["Content-Type"] == "image/png" and "max-age" in response["Cache-Control"]
    assert png_size(b"".join(response.streaming_content)) == (1200, 630)
    assert len(list((tmp_path / "share" / "product").glob(f"{product.slug}-*.png"))) == 1
    again = client.get(f"/share/products/{product.slug}.png", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    product.name = "Chè Shan tuyết cổ thụ Tà Xùa"
    product.save()
    assert client.get(f"/share/products/{product.slug}.png").status_code == 200
    assert len(list((tmp_path / "share" / "product").glob(f"{product.slug}-*.png"))) == 2  # a new digest
    assert client.get("/share/products/no-such-product.png").status_code == 404
    assert client.get(f"/share/producers/{product.producer.slug}.png").status_code == 200
    assert client.get("/share/provinces/son-la.png").status_code == 200
    assert client.get("/share/provinces/ha-giang.png").status_code == 404  # a former unit has no page


def test_favicon_and_manifest_answer(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"
    manifest = client.get("/manifest.webmanifest").json()
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}


def test_the_map_has_a_tile_for_every_current_unit_and_only_those():
    assert set(TILES) == set(Province.objects.current().values_list("slug", flat=True))
    assert len({(c, r) for c, r, _label in TILES.values()}) == 34  # no two tiles in one place
    steps = shade_steps([0, 1, 2, 3, 10, 40])
    assert shade_of(0, steps) == 0 and shade_of(1, steps) == 1 and shade_of(40, steps) == 4


def test_the_home_page_map_names_counts_and_former_units(client):
    page = client.get("/").content.decode()
    assert page.count('class="map-tile') == 34
    assert "<title>Tuyên Quang: 0 sản phẩm có hạng OCOP còn hiệu lực · gồm tỉnh cũ: Hà Giang</title>" in page


def test_counts_of_kinds_are_plural_in_english():
    with translation.override("en"):
        assert kind_count_label("gi", 53) == "Geographical indications"
        assert kind_count_label("gi", 1) == "Geographical indication"
    with translation.override("vi"):
        assert kind_count_label("gi", 53) == "Chỉ dẫn địa lý"


def test_the_home_page_examples_find_products(client):
    tea = f.product("Chè Shan tuyết Tà Xùa", category_obj=f.category("Chè"))
    decision = f.certificate("ocop")
    f.entry(decision, tea, stars=5)
    page = client.get("/").content.decode()
    assert 'href="/products/?q=ch%C3%A8%20S%C6%A1n%20La"' in page
    assert "xoài Yên Châu" not in page
    listing = client.get("/products/?q=chè Sơn La").content.decode()
    assert "Chè Shan tuyết Tà Xùa" in listing


def test_an_empty_search_names_the_registers_gi_and_the_province():
    f.certificate("gi", title="Yên Châu", product_name="Xoài tròn", number="00099")
    found = register_matches("xoài Yên Châu")
    assert [c.title for c in found] == ["Yên Châu"] and found[0].product_count == 0
    assert register_matches("Yên Châu loại ngon")  # the whole title within the search
    assert register_matches("cà phê Buôn Ma Thuột") == []
    page = Client().get("/products/?q=xoài Yên Châu").content.decode()
    assert "Tên được bảo hộ trong sổ văn bản chứng nhận" in page and "liên hệ Tỉnh Sơn La" in page


def test_the_admin_banner_is_vietnamese(admin_client):
    # Django's own Vietnamese catalogue lacks the plural form: locale/vi adds it.
    page = admin_client.post("/admin/certifications/certificate/add/", {}).content.decode()
    assert '<p class="errornote">' in page
    assert "Vui lòng sửa các lỗi dưới đây." in page and "Please correct" not in page


def test_the_enquiry_confirmation_says_who_received_it(django_capture_on_commit_callbacks):
    world = build_trade_world()
    buyer = Client(REMOTE_ADDR=new_address())
    world.sl_producer.email = ""
    world.sl_producer.save()
    post(buyer, enquiry_url(world.sl_producer), buyer_data(products=[world.tea.pk]), django_capture_on_commit_callbacks)
    page = text(buyer.get(reverse("products:enquiry_sent")))
    assert "chưa có email trong danh mục; cán bộ phụ trách OCOP của tỉnh đã nhận bản sao" in page
    assert "Đã gửi thư tới" not in page
