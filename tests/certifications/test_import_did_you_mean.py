""" "Did you mean" in the decision import: a row naming a producer or product the province does not have,
but one close to it, says which, with the producer's place or the product's producer (real CSV and XLSX
files through the admin, tests/data/quyet_dinh_goi_y.*)."""

import pytest
from django.utils.html import strip_tags

from certifications import import_hints
from core.text import closest_keys
from producers.models import Producer
from products.models import Product
from tests.certifications import test_import_decisions as decisions
from tests.certifications.test_import_decisions import confirm, errors_by_line, saved, upload

# The Sơn La catalogue and the logged-in staff member of the decision import's tests.
catalogue, client = decisions.catalogue, decisions.client

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(catalogue):
    """Mai Sơn's cooperative has its commune written, so the suggestion can say where it is."""
    Producer.objects.filter(name="HTX Cà phê Mai Sơn").update(address="xã Chiềng Ban, huyện Mai Sơn")
    return catalogue


def test_near_misses_in_a_csv_get_a_suggestion_and_a_far_name_none(client, placed):
    preview = upload(client, "quyet_dinh_goi_y.csv", placed["son_la"])
    errors = errors_by_line(preview)
    assert set(errors) == {3, 4, 5}, "line 2 names a producer and a product that exist"
    # A misspelt producer: the nearest one, with its commune and province.
    [producer_error] = errors[3]["Chủ thể"]
    assert producer_error.endswith("Có phải ý bạn là “HTX Cà phê Mai Sơn (xã Chiềng Ban, huyện Mai Sơn, Sơn La)”?")
    # A product typed without diacritics and with a typo: the product, with its producer.
    [product_error] = errors[4]["Sản phẩm"]
    assert product_error.endswith("Có phải ý bạn là “Mật ong hoa rừng Sốp Cộp — Hộ kinh doanh Lò Văn Minh”?")
    # A name far from every producer of the province: no guess.
    [far_error] = errors[5]["Chủ thể"]
    assert "Chưa có chủ thể «Công ty TNHH Hải sản Vân Đồn» ở Sơn La" in far_error
    assert "Có phải ý bạn là" not in far_error
    html = preview.content.decode()
    assert "Có phải ý bạn là “Mật ong hoa rừng Sốp Cộp — Hộ kinh doanh Lò Văn Minh”?" in html
    assert "<td>---</td>" not in html and "<td>None</td>" not in html, "columns the file lacks stay blank"
    # Atomic: a file with an error offers no confirmation and writes nothing.
    assert "confirm_form" not in preview.context
    assert saved() == (0, 0)
    assert Producer.objects.count() == 4 and Product.objects.count() == 5


def test_near_misses_in_an_xlsx_name_the_product_under_another_producer(client, catalogue):
    preview = upload(client, "quyet_dinh_goi_y.xlsx", catalogue["son_la"])
    errors = errors_by_line(preview)
    assert set(errors) == {2, 3, 4, 5}
    assert errors[2]["Chủ thể"][0].endswith("Có phải ý bạn là “HTX Chè Tà Xùa (Sơn La)”?")
    assert errors[3]["Sản phẩm"][0].endswith("Có phải ý bạn là “Cà phê Arabica Mai Sơn — HTX Cà phê Mai Sơn”?")
    # The product exists, but is another producer's: the suggestion says whose.
    assert errors[4]["Sản phẩm"][0].endswith("Có phải ý bạn là “Trà xanh Tà Xùa — HTX Chè Tà Xùa”?")
    assert "Có phải ý bạn là" not in " ".join(errors[5]["Sản phẩm"])
    assert saved() == (0, 0)


def test_creating_a_near_miss_says_so_in_the_preview(client, catalogue):
    preview = upload(client, "quyet_dinh_goi_y.csv", catalogue["son_la"], create_missing=True)
    result = preview.context["result"]
    assert not result.has_validation_errors()
    notes = [strip_tags(row.diff[-1]) for row in result.valid_rows()]
    assert notes[1] == (
        "tạo chủ thể mới (Có phải ý bạn là “HTX Cà phê Mai Sơn (Sơn La)”?), "
        "tạo sản phẩm mới (Có phải ý bạn là “Cà phê Arabica Mai Sơn — HTX Cà phê Mai Sơn”?)"
    )
    assert "Có phải ý bạn là" not in notes[3]
    assert saved() == (0, 0), "the preview writes nothing"
    assert confirm(client, preview).status_code == 302
    assert Producer.objects.filter(name="HTX Cà phê Mai Sen").count() == 1


def test_two_candidates_are_offered_best_first():
    keys = ["htx che ta xua", "htx che ta xa", "cong ty hai san van don"]
    assert closest_keys("HTX Chè Tà Xùa", keys) == ["htx che ta xua", "htx che ta xa"]
    assert closest_keys("Hợp tác xã Nông nghiệp", keys) == []
    assert closest_keys("", keys) == []


def test_an_import_stops_looking_up_after_its_budget(catalogue, monkeypatch):
    monkeypatch.setattr(import_hints, "MAX_LOOKUPS", 1)
    near = import_hints.NearMisses(catalogue["son_la"])
    assert near.producer("HTX Cà phê Mai Sen") == "Có phải ý bạn là “HTX Cà phê Mai Sơn (Sơn La)”?"
    assert near.producer("HTX Che Ta Sua") == "", "a second distinct name is over the budget"
    assert near.producer("HTX Cà phê Mai Sen").startswith("Có phải"), "a name already looked up keeps its answer"


def test_an_address_that_names_the_province_does_not_name_it_twice(catalogue):
    Producer.objects.filter(name="HTX Cà phê Mai Sơn").update(address="xã Chiềng Ban, tỉnh Sơn La")
    near = import_hints.NearMisses(catalogue["son_la"])
    assert near.producer("HTX Ca phe Mai Sen") == "Có phải ý bạn là “HTX Cà phê Mai Sơn (xã Chiềng Ban, tỉnh Sơn La)”?"
