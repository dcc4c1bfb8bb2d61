"""Bulk import of an OCOP rating decision from the real CSV and XLSX files in tests/data/.

Through the admin, as a Sơn La staff member would: upload, read the preview (nothing saved), confirm
(everything saved in one transaction, or nothing).
"""

import datetime
import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certifications.decision_import import DecisionImportResource
from certifications.models import Certificate, CertifiedProduct
from certifications.resources import TEMPLATE_HEADERS
from core.admin.imports import sign_file_name
from producers.models import Producer, Province
from products.models import Category, Product, ProductGroup
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
IMPORT_URL = reverse("admin:certifications_certifiedproduct_import")
PROCESS_URL = reverse("admin:certifications_certifiedproduct_process_import")


@pytest.fixture
def catalogue():
    """The Sơn La producers and products the decision files name, and one Quảng Ninh producer."""
    groups = {code: ProductGroup.objects.get(code=code) for code in (1, 2)}
    categories = {
        name: Category.objects.get_or_create(name=name, defaults={"group": groups[1]})[0]
        for name in ("Chè", "Mật ong", "Cà phê", "Xoài", "Trái cây")
    }
    son_la, quang_ninh = Province.objects.get(slug="son-la"), Province.objects.get(slug="quang-ninh")
    ta_xua = Producer.objects.create(name="HTX Chè Tà Xùa", kind="cooperative", province=son_la)
    minh = Producer.objects.create(name="Hộ kinh doanh Lò Văn Minh", kind="household", province=son_la)
    mai_son = Producer.objects.create(name="HTX Cà phê Mai Sơn", kind="cooperative", province=son_la)
    dap_thanh = Producer.objects.create(name="Công ty CP Lâm sản Đạp Thanh", kind="enterprise", province=quang_ninh)
    for name, producer, category in (
        ("Chè Shan tuyết Tà Xùa", ta_xua, "Chè"),
        ("Trà xanh Tà Xùa", ta_xua, "Chè"),
        ("Mật ong hoa rừng Sốp Cộp", minh, "Mật ong"),
        ("Cà phê Arabica Mai Sơn", mai_son, "Cà phê"),
        ("Trà hoa vàng Ba Chẽ", dap_thanh, "Chè"),
    ):
        Product.objects.create(name=name, producer=producer, category=categories[category])
    return {"son_la": son_la, "quang_ninh": quang_ninh, "staff": staff_user("nv_sonla", provinces=["son-la"])}


@pytest.fixture
def client(catalogue):
    client = Client()
    client.force_login(catalogue["staff"])
    return client


def post_file(client, name, payload, province, *, create_missing=False):
    """The import form posted with a file of that name and content, its format chosen by the name's suffix."""
    data = {
        "import_file": SimpleUploadedFile(name, payload),
        "format": "0" if name.endswith(".xlsx") else "1",
        "resource": "0",
        "province": province.pk,
    }
    if create_missing:
        data["create_missing"] = "on"
    response = client.post(IMPORT_URL, data)
    assert response.status_code == 200
    return response


def upload(client, name, province, *, create_missing=False):
    return post_file(client, name, (DATA / name).read_bytes(), province, create_missing=create_missing)


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS_URL, {field.html_name: field.value() for field in form})


def errors_by_line(response):
    """{file line: {column: [messages]}}; line 1 of the file is its header."""
    result = response.context["result"]
    errors = {}
    for row in result.invalid_rows:
        errors[row.number + 1] = {
            field: [str(m) for m in messages] for field, messages in row.field_specific_errors.items()
        }
        if row.non_field_specific_errors:
            errors[row.number + 1]["*"] = [str(m) for m in row.non_field_specific_errors]
    return errors


def saved():
    return Certificate.objects.filter(kind="ocop").count(), CertifiedProduct.objects.count()


@pytest.mark.parametrize("name", ["quyet_dinh_ocop_son_la.csv", "quyet_dinh_ocop_son_la.xlsx"])
def test_a_good_file_previews_then_saves_every_row_at_once(client, catalogue, name):
    preview = upload(client, name, catalogue["son_la"])
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert len(result.valid_rows()) == 4  # the XLSX's blank trailing row is skipped
    assert "confirm_form" in preview.context
    assert "Xác nhận nhập" in preview.content.decode()
    assert saved() == (0, 0), "nothing is saved before the user confirms"

    response = confirm(client, preview)
    assert response.status_code == 302
    certificate = Certificate.objects.get(kind="ocop")
    assert certificate.number == "245/QĐ-UBND"
    assert certificate.issued_on == datetime.date(2025, 8, 14)
    assert certificate.valid_until == datetime.date(2028, 8, 14)  # 36 months
    assert certificate.issuer == "UBND tỉnh Sơn La"
    assert certificate.title == "Công nhận sản phẩm đạt chuẩn OCOP tỉnh Sơn La năm 2025 (đợt 1)"
    assert certificate.province == catalogue["son_la"]
    stars = dict(certificate.entries.values_list("product__name", "stars"))
    assert stars == {
        "Chè Shan tuyết Tà Xùa": 4,
        "Trà xanh Tà Xùa": 3,
        "Mật ong hoa rừng Sốp Cộp": 3,
        "Cà phê Arabica Mai Sơn": 4,
    }
    assert Product.objects.with_current_stars().get(name="Chè Shan tuyết Tà Xùa").current_stars == 4
    # Who did it is on record: the admin log and the history of each entry.
    assert LogEntry.objects.filter(user=catalogue["staff"]).count() == 4
    assert {h.history_user for h in CertifiedProduct.history.all()} == {catalogue["staff"]}
    assert Producer.objects.count() == 4 and Product.objects.count() == 5  # nothing created


@pytest.mark.parametrize(
    ("name", "line", "column", "reason"),
    [
        ("quyet_dinh_mot_dong_loi.csv", 3, "Số sao", "chỉ sản phẩm đạt 3, 4 hoặc 5 sao"),
        ("quyet_dinh_mot_dong_loi.xlsx", 5, "Loại sản phẩm", "Chưa có loại sản phẩm «Cà phê chồn»"),
    ],
)
def test_one_bad_row_saves_nothing_and_names_the_row_and_the_reason(client, catalogue, name, line, column, reason):
    preview = upload(client, name, catalogue["son_la"])
    errors = errors_by_line(preview)
    assert list(errors) == [line]
    assert list(errors[line]) == [column]
    assert reason in errors[line][column][0]
    assert "confirm_form" not in preview.context
    html = preview.content.decode()
    assert "1 dòng có lỗi" in html and "không có gì được lưu" in html
    assert saved() == (0, 0)


def test_saving_is_all_or_nothing_even_when_the_bad_row_comes_last(catalogue):
    """Straight through the resource, without the preview: the good rows before the bad one are rolled back."""
    dataset = tablib.Dataset().load((DATA / "quyet_dinh_mot_dong_loi.xlsx").read_bytes(), format="xlsx")
    resource = DecisionImportResource(user=catalogue["staff"], province=catalogue["son_la"])
    result = resource.import_data(dataset, dry_run=False, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [4]
    assert saved() == (0, 0)


def test_a_confirmation_whose_file_went_bad_saves_nothing(client, catalogue):
    """The file kept between preview and confirmation is read again; if it now fails, nothing is saved."""
    preview = upload(client, "quyet_dinh_ocop_son_la.csv", catalogue["son_la"])
    data = {field.html_name: field.value() for field in preview.context["confirm_form"]}
    name = Path(preview.context["form"].cleaned_data["import_file"].tmp_storage_name).name
    shutil.copyfile(DATA / "quyet_dinh_mot_dong_loi.csv", Path(tempfile.gettempdir()) / name)
    response = client.post(PROCESS_URL, data, follow=True)
    assert saved() == (0, 0)
    assert "Không lưu gì cả" in response.content.decode()


def test_data_changed_since_the_preview_saves_nothing(client, catalogue):
    preview = upload(client, "quyet_dinh_ocop_son_la.csv", catalogue["son_la"])
    # Meanwhile a colleague enters the same decision number with another date.
    Certificate.objects.create(
        kind="ocop",
        number="245/QĐ-UBND",
        title="Khác",
        issuer="UBND tỉnh Sơn La",
        province=catalogue["son_la"],
        issued_on=datetime.date(2025, 8, 1),
    )
    response = confirm(client, preview)
    assert response.status_code == 302
    assert CertifiedProduct.objects.count() == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Không lưu gì cả" in m for m in messages)


def test_another_provinces_producer_is_refused(client, catalogue):
    preview = upload(client, "quyet_dinh_chu_the_tinh_khac.xlsx", catalogue["son_la"], create_missing=True)
    errors = errors_by_line(preview)
    assert list(errors) == [4]
    message = errors[4]["Chủ thể"][0]
    assert "Công ty CP Lâm sản Đạp Thanh" in message and "tỉnh, thành phố khác" in message
    assert saved() == (0, 0)
    assert Producer.objects.filter(name="Công ty CP Lâm sản Đạp Thanh").count() == 1  # not created in Sơn La


def test_the_preview_lists_every_rows_errors(client, catalogue):
    preview = upload(client, "quyet_dinh_nhieu_loi.csv", catalogue["son_la"])
    errors = errors_by_line(preview)
    assert sorted(errors) == [2, 4, 5, 6, 7, 8]
    assert list(errors[2]) == ["Ngày ký"] and "31/02/2025" in errors[2]["Ngày ký"][0]
    assert list(errors[4]) == ["Số sao"] and "«6»" in errors[4]["Số sao"][0]
    assert list(errors[5]) == ["Chủ thể"] and "Thiếu chủ thể" in errors[5]["Chủ thể"][0]
    assert list(errors[6]) == ["Sản phẩm"] and "Trùng với dòng 3" in errors[6]["Sản phẩm"][0]
    assert set(errors[7]) == {"Loại sản phẩm", "Chủ thể"}
    assert "Chưa có chủ thể «HTX Không Có Thật»" in errors[7]["Chủ thể"][0]
    assert "tỉnh, thành phố khác" in errors[8]["Chủ thể"][0]
    html = preview.content.decode()
    assert "6 dòng có lỗi" in html and "Trùng với dòng 3" in html
    assert saved() == (0, 0)


def test_missing_products_and_producers_are_created_only_when_asked(client, catalogue):
    preview = upload(client, "quyet_dinh_san_pham_moi.csv", catalogue["son_la"])
    assert sorted(errors_by_line(preview)) == [3, 4]
    assert "Tạo sản phẩm, chủ thể còn thiếu" in errors_by_line(preview)[3]["Chủ thể"][0]
    products_before = Product.objects.count()

    preview = upload(client, "quyet_dinh_san_pham_moi.csv", catalogue["son_la"], create_missing=True)
    assert errors_by_line(preview) == {}
    notes = [row.diff[-1] for row in preview.context["result"].valid_rows()]
    assert "tạo sản phẩm mới" in notes[1] and "tạo chủ thể mới" in notes[1]
    assert Product.objects.count() == products_before, "the preview created nothing"
    assert confirm(client, preview).status_code == 302

    xoai = Producer.objects.get(name="HTX Xoài Yên Châu")
    hoa = Producer.objects.get(name="Hộ kinh doanh Vì Thị Hoa")
    assert (xoai.province, xoai.kind) == (catalogue["son_la"], "cooperative")  # kind read from "HTX"
    assert (hoa.province, hoa.kind) == (catalogue["son_la"], "household")
    product = Product.objects.get(name="Xoài tròn Yên Châu sấy dẻo")
    assert (product.producer, product.category.name, product.is_published) == (xoai, "Xoài", True)
    assert Product.objects.count() == products_before + 2
    assert CertifiedProduct.objects.get(product=product).stars == 3


def test_the_same_decision_twice_is_flagged_row_by_row(client, catalogue):
    confirm(client, upload(client, "quyet_dinh_ocop_son_la.csv", catalogue["son_la"]))
    preview = upload(client, "quyet_dinh_ocop_son_la.xlsx", catalogue["son_la"])
    errors = errors_by_line(preview)
    assert sorted(errors) == [2, 3, 4, 5]
    assert all("đã có trong văn bản" in e["Sản phẩm"][0] for e in errors.values())
    assert saved() == (1, 4)


def test_unreadable_files_are_form_errors(client, catalogue):
    for name, payload in (
        ("rac.xlsx", b"this is not a workbook"),
        ("rong.csv", b""),
        ("thieu_cot.csv", "Sản phẩm,Số sao\nChè,4\n".encode()),
    ):
        response = post_file(client, name, payload, catalogue["son_la"])
        html = response.content.decode()
        assert "confirm_form" not in response.context
        assert response.context["form"].errors or response.context["result"].has_errors(), name
        if name == "thieu_cot.csv":
            assert "Tệp thiếu cột" in html and "Số quyết định" in html
    assert saved() == (0, 0)


def _random_bytes_with_lines():
    """Not a spreadsheet: bytes with many line breaks (a row count by newlines would call it 20,000 rows)."""
    import random

    rng = random.Random(7)
    return bytes(rng.choice(b"abc\x00\xff\n") for _ in range(120_000))


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [  # the format chosen is the name's suffix
        ("ngau_nhien.xlsx", _random_bytes_with_lines(), "Tệp này không phải tệp Excel (.xlsx)"),
        ("doi_ten.xlsx", (DATA / "quyet_dinh_ocop_son_la.csv").read_bytes(), "không phải tệp Excel (.xlsx)"),
        ("chon_nham.csv", (DATA / "quyet_dinh_ocop_son_la.xlsx").read_bytes(), "là tệp Excel (.xlsx), không"),
        ("unicode_text.csv", "Số quyết định,Sản phẩm\nQĐ,Chè Tà Xùa\n".encode("utf-16"), "bảng mã UTF-8"),
    ],
)
def test_a_file_that_is_not_the_chosen_format_is_said_so_in_words(client, catalogue, name, payload, message):
    response = post_file(client, name, payload, catalogue["son_la"])
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "dòng dữ liệu" not in html and "Error" not in html and "BadZipFile" not in html
    assert saved() == (0, 0)


def test_names_this_site_exported_with_an_apostrophe_are_read_back_as_they_are(client, catalogue):
    """The back-office's exports put an apostrophe before a cell that a spreadsheet would run ("=…", "+…"); a file
    exported, edited and imported again must name the same producer and product, not "'+…" ones."""
    producer = Producer.objects.create(name="+Hợp tác xã Chè", kind="cooperative", province=catalogue["son_la"])
    Product.objects.create(name="=Chè búp", producer=producer, category=Category.objects.get(name="Chè"))
    header = "Số quyết định,Ngày ký,Cơ quan ban hành,Trích yếu,Sản phẩm,Chủ thể,Loại chủ thể,Loại sản phẩm,Số sao\n"
    row = "77/QĐ-UBND,14/08/2025,UBND tỉnh Sơn La,Công nhận OCOP,'=Chè búp,'+Hợp tác xã Chè,,Chè,3\n"
    preview = post_file(client, "xuat_lai.csv", (header + row).encode(), catalogue["son_la"])
    assert errors_by_line(preview) == {}
    confirm(client, preview)
    assert CertifiedProduct.objects.get().product.name == "=Chè búp"


def test_a_tampered_or_foreign_confirmation_is_refused(client, catalogue):
    preview = upload(client, "quyet_dinh_ocop_son_la.csv", catalogue["son_la"])
    data = {field.html_name: field.value() for field in preview.context["confirm_form"]}
    for tampered in ("../../etc/passwd", "tmpabc123", sign_file_name("tmpabc123", staff_user("khac", provinces=[]))):
        response = client.post(PROCESS_URL, {**data, "import_file_name": tampered}, follow=True)
        assert response.status_code == 200
        assert "hãy tải tệp lên lại" in response.content.decode()
    assert client.post(PROCESS_URL, {**data, "format": "9"}, follow=True).status_code == 200
    assert saved() == (0, 0)
    assert confirm(client, preview).status_code == 302
    assert saved() == (1, 4)


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_the_template_file_has_the_columns_and_example_rows(client, catalogue, extension):
    response = client.get(reverse("admin:certifications_certifiedproduct_import_template", args=[extension]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if extension == "csv":
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        dataset = tablib.Dataset().load(text.lstrip("\ufeff"), format="csv")
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book.active
        rows = list(sheet.iter_rows(values_only=True))
        dataset = tablib.Dataset(*rows[1:], headers=rows[0])
        # A named sheet, a note on every header, drop-down lists of stars, producer kinds and categories.
        assert sheet.title == "Quyết định OCOP"
        assert all(cell.comment and cell.comment.text for cell in sheet[1])
        lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation}
        assert lists["I"] == '"3,4,5"'
        # The lists' sheet is not called "Danh sách chọn": that is the public site's shortlist.
        assert book.sheetnames == ["Quyết định OCOP", "Giá trị hợp lệ"]
        kinds = [row[0] for row in book["Giá trị hợp lệ"].iter_rows(values_only=True) if row[0]]
        assert "Hợp tác xã" in kinds and lists["G"].endswith(f"$A${len(kinds)}")
        assert lists["G"].startswith("'Giá trị hợp lệ'!") and lists["H"].startswith("'Giá trị hợp lệ'!")
        assert "Chè" in [row[1] for row in book["Giá trị hợp lệ"].iter_rows(values_only=True)]
        # Excel refuses a value outside a list, with a title and a message in Vietnamese (within Excel's limits).
        assert set(lists) == {"G", "H", "I"}
        for validation in sheet.data_validations.dataValidation:
            assert validation.showErrorMessage and validation.errorStyle in (None, "stop")
            assert validation.errorTitle == "Giá trị không hợp lệ"
            assert validation.error and len(validation.error) <= 255
        messages = {str(v.sqref)[0]: v.error for v in sheet.data_validations.dataValidation}
        assert "3, 4 hoặc 5" in messages["I"] and "«Giá trị hợp lệ»" in messages["H"]
    assert list(dataset.headers) == TEMPLATE_HEADERS
    assert len(dataset) == 3
    assert "UBND Sơn La" in dataset[0][2] and "(ví dụ)" in dataset[0][4]
    assert client.get("/admin/certifications/certifiedproduct/import-template.pdf").status_code == 404


def test_the_template_is_refused_without_import_permission(catalogue):
    viewer = staff_user("chi_xem", provinces=["son-la"])
    viewer.groups.clear()
    client = Client()
    client.force_login(viewer)
    response = client.get(reverse("admin:certifications_certifiedproduct_import_template", args=["csv"]))
    assert response.status_code == 403
