"""Producer and product imports from real files (tests/data/), each row kept inside the user's provinces."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from producers.models import Producer
from products.models import Category, Product, ProductGroup
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def client():
    client = Client()
    client.force_login(staff_user("nv_sonla", provinces=["son-la"]))
    return client


def import_file(client, model, name):
    path = DATA / name
    url = reverse(f"admin:{model}_import")
    data = {
        "import_file": SimpleUploadedFile(path.name, path.read_bytes()),
        "format": "0" if path.suffix == ".xlsx" else "1",
        "resource": "0",
    }
    preview = client.post(url, data)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), [
        (row.number, row.error_dict) for row in result.invalid_rows
    ]
    assert "confirm_form" in preview.context
    form = preview.context["confirm_form"]
    process = reverse(f"admin:{model}_process_import")
    return preview, client.post(process, {field.html_name: field.value() for field in form})


def test_producers_from_a_csv_are_created_in_the_province(client):
    preview, response = import_file(client, "producers_producer", "chu_the_son_la.csv")
    assert response.status_code == 302
    producers = {p.name: p for p in Producer.objects.select_related("province")}
    assert set(producers) == {"HTX Chè Tà Xùa", "Hộ kinh doanh Lò Văn Minh", "Công ty TNHH Nông sản Mộc Châu"}
    assert {p.province.slug for p in producers.values()} == {"son-la"}
    assert [producers[n].kind for n in sorted(producers)] == ["enterprise", "cooperative", "household"]
    ta_xua = producers["HTX Chè Tà Xùa"]
    assert (ta_xua.address, ta_xua.email, ta_xua.website) == (
        "xã Tà Xùa, Sơn La",
        "htx.taxua@example.org",
        "https://taxua.example.org",
    )


def test_products_from_an_xlsx_find_their_producer_and_category_however_typed(client):
    import_file(client, "producers_producer", "chu_the_son_la.csv")
    group = ProductGroup.objects.get(code=1)
    Category.objects.create(name="Chè", group=group)
    Category.objects.create(name="Mật ong", group=group)
    _, response = import_file(client, "products_product", "san_pham_son_la.xlsx")
    assert response.status_code == 302
    products = {p.name: p for p in Product.objects.select_related("producer", "category")}
    assert set(products) == {"Chè Shan tuyết Tà Xùa", "Trà xanh Tà Xùa", "Mật ong hoa rừng Sốp Cộp"}
    assert products["Trà xanh Tà Xùa"].producer.name == "HTX Chè Tà Xùa"
    assert products["Trà xanh Tà Xùa"].category.name == "Chè"
    assert products["Trà xanh Tà Xùa"].is_published is False
    assert products["Mật ong hoa rừng Sốp Cộp"].is_published is True


def test_an_export_imports_back_as_updates(client):
    import_file(client, "producers_producer", "chu_the_son_la.csv")
    exported = client.post(reverse("admin:producers_producer_export"), {"format": "1", "resource": "0"})
    text = exported.content.decode("utf-8-sig").replace("HTX Chè Tà Xùa", "HTX Chè Shan tuyết Tà Xùa")
    url = reverse("admin:producers_producer_import")
    preview = client.post(
        url, {"import_file": SimpleUploadedFile("xuat.csv", text.encode()), "format": "1", "resource": "0"}
    )
    assert [row.import_type for row in preview.context["result"].valid_rows()] == ["update"] * 3
    form = preview.context["confirm_form"]
    client.post(reverse("admin:producers_producer_process_import"), {f.html_name: f.value() for f in form})
    assert Producer.objects.count() == 3
    assert Producer.objects.filter(name="HTX Chè Shan tuyết Tà Xùa").exists()


def test_exports_keep_text_that_looks_like_a_formula_as_text(client):
    import_file(client, "producers_producer", "chu_the_son_la.csv")
    Producer.objects.filter(name="HTX Chè Tà Xùa").update(description='=HYPERLINK("http://example.org","Bấm")')
    exported = client.post(reverse("admin:producers_producer_export"), {"format": "0", "resource": "0"})
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].value.startswith("'=")
