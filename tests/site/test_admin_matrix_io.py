"""Province scoping of the back-office, continued (see test_admin_matrix.py): autocompletes, exports,
imports and actions. A provincial staff member reaches only their own province's records through each,
and a superuser reaches both.
"""

import csv
import io

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certifications.models import Certificate, CertifiedProduct
from producers.models import Producer, Province, StaffProvince
from products.models import Product
from tests.admin_world import build_world
from tests.site.admin_matrix import (
    ALL_PROVINCES,
    MODELS,
    STAFF,
    client_for,
    sets,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


# --- autocomplete -----------------------------------------------------------------------------------

AUTOCOMPLETE = {
    # target model -> (source app, source model, field, search term)
    "producer": ("products", "product", "producer", "HTX"),
    "product": ("certifications", "certifiedproduct", "product", "san pham"),
    "certificate": ("certifications", "certifiedproduct", "certificate", "Quyết định"),
    "category": ("products", "product", "category", "Chè"),
}


def autocomplete(client, target):
    app_label, model_name, field_name, term = AUTOCOMPLETE[target]
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {row["text"] for row in response.json()["results"]}


def label(obj):
    """What the picker shows: a product with its producer and province (Product.choice_label)."""
    return obj.choice_label() if hasattr(obj, "choice_label") else str(obj)


@pytest.mark.parametrize("target", ["producer", "product", "certificate"])
@pytest.mark.parametrize("who", STAFF)
def test_autocomplete_offers_only_own_province(world, target, who):
    own, other = sets(world, who)
    texts = autocomplete(client_for(own.staff), target)
    assert texts == {label(getattr(own, target))}
    assert label(getattr(other, target)) not in texts


@pytest.mark.parametrize("target", ["producer", "product", "certificate"])
def test_autocomplete_of_superuser_offers_both(world, target):
    texts = autocomplete(client_for(world.superuser), target)
    assert texts == {label(getattr(world.sl, target)), label(getattr(world.qn, target))}


def test_categories_are_shared_by_every_province(world):
    assert autocomplete(client_for(world.sl.staff), "category") == {"Chè thử"}
    assert autocomplete(client_for(world.qn.staff), "category") == {"Chè thử"}


def test_another_provinces_row_picked_by_hand_is_refused_in_words(world):
    """A producer id of the other province typed into the form: refused, saying why (Django's own message,
    "Hãy chọn một lựa chọn hợp lệ…", did not)."""
    from tests.certifications.test_history_admin import form_data

    client = client_for(world.sl.staff)
    change = url("product", "change", world.sl.product.pk)
    response = client.post(change, form_data(client.get(change), producer=world.qn.producer.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["producer"] == [
        "Không có lựa chọn này trong các tỉnh, thành phố bạn phụ trách: hãy chọn lại trong danh sách."
    ]
    world.sl.product.refresh_from_db()
    assert world.sl.product.producer == world.sl.producer


# --- export -----------------------------------------------------------------------------------------


def export(client, model, file_format):
    """The changelist exported as CSV ("1") or XLSX ("0"), as a list of rows (header first)."""
    response = client.post(url(model, "export"), {"format": file_format, "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    if file_format == "1":
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff"), "CSV carries a byte-order mark for Excel"
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", STAFF)
@pytest.mark.parametrize("file_format", ["0", "1"])
def test_export_contains_only_own_province(world, model, who, file_format):
    own, other = sets(world, who)
    rows = export(client_for(own.staff), model, file_format)
    assert len(rows) == 2  # header and one row
    flat = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert MODELS[model][3](own) in flat
    assert MODELS[model][3](other) not in flat and other.province.name not in flat


@pytest.mark.parametrize("model", MODELS)
def test_export_of_superuser_contains_both(world, model):
    rows = export(client_for(world.superuser), model, "1")
    assert len(rows) == 1 + (ALL_PROVINCES if model == "province" else 2)


def test_export_keeps_the_changelist_filters(world):
    client = client_for(world.superuser)
    response = client.post(
        url("producer", "export") + f"?province__id__exact={world.qn.province.pk}", {"format": "1", "resource": "0"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [world.qn.producer.name]


# --- import -----------------------------------------------------------------------------------------


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def preview(client, model, text, **extra):
    data = {"import_file": upload("tep.csv", text), "format": "1", "resource": "0", **extra}
    response = client.post(url(model, "import"), data)
    assert response.status_code == 200
    return response


def row_errors(response):
    result = response.context["result"]
    return [
        (row.number, field, str(message))
        for row in result.invalid_rows
        for field, messages in row.field_specific_errors.items()
        for message in messages
    ]


@pytest.mark.parametrize("who", STAFF)
def test_producer_import_refuses_other_province(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    before = Producer.objects.count()
    text = (
        'Tên chủ thể,Loại chủ thể,"Tỉnh, thành phố"\n'
        f"HTX Mới Một,Hợp tác xã,{own.province.name}\n"
        f"HTX Mới Hai,Hợp tác xã,{other.province.name}\n"
    )
    response = preview(client, "producer", text)
    errors = row_errors(response)
    assert [(number, field) for number, field, _ in errors] == [(2, "Tỉnh, thành phố")]
    assert "không thuộc phạm vi" in errors[0][2]
    assert "confirm_form" not in response.context
    # An "ID" naming the other province's producer does not reach it either.
    response = preview(
        client,
        "producer",
        f'ID,Tên chủ thể,Loại chủ thể,"Tỉnh, thành phố"\n{other.producer.pk},Đổi,Hợp tác xã,{own.province.name}\n',
    )
    assert [field for _, field, _ in row_errors(response)] == ["ID"]
    assert Producer.objects.count() == before
    other.producer.refresh_from_db()
    assert other.producer.name != "Đổi"


@pytest.mark.parametrize("who", STAFF)
def test_product_import_refuses_other_provinces_producer(world, who):
    own, other = sets(world, who)
    before = Product.objects.count()
    text = (
        "Tên sản phẩm,Chủ thể,Loại sản phẩm\n"
        f"Sản phẩm Một,{own.producer.name},{world.category.name}\n"
        f"Sản phẩm Hai,{other.producer.name},{world.category.name}\n"
    )
    errors = row_errors(preview(client_for(own.staff), "product", text))
    assert [(number, field) for number, field, _ in errors] == [(2, "Chủ thể")]
    assert "tỉnh, thành phố khác" in errors[0][2]
    assert Product.objects.count() == before


@pytest.mark.parametrize("model", ["entry", "certificate"])
@pytest.mark.parametrize("who", STAFF)
def test_decision_import_refuses_other_province(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    before = (Certificate.objects.count(), CertifiedProduct.objects.count())
    text = (
        "Số quyết định,Ngày ký,Cơ quan ban hành,Sản phẩm,Chủ thể,Loại sản phẩm,Số sao\n"
        f"55/QĐ-UBND,01/07/2025,UBND,{other.product.name},{other.producer.name},{world.category.name},4\n"
    )
    # The import lives on the entries' admin; the certificate list links to it.
    if model == "certificate":
        page = client.get(url("certificate", "changelist"))
        assert reverse("admin:certifications_certifiedproduct_import") in page.content.decode()
    response = preview(client, "entry", text, province=own.province.pk, create_missing="on")
    errors = row_errors(response)
    assert [(number, field) for number, field, _ in errors] == [(1, "Chủ thể")]
    assert "thuộc tỉnh, thành phố khác" in errors[0][2]
    # Choosing the other province for the decision is not possible either.
    response = preview(client, "entry", text, province=other.province.pk)
    assert "province" in response.context["form"].errors
    assert (Certificate.objects.count(), CertifiedProduct.objects.count()) == before


def test_province_has_no_import(world):
    response = client_for(world.superuser).get("/admin/producers/province/import/", follow=True)
    assert response.status_code == 404


# --- actions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["certificate", "entry"])
@pytest.mark.parametrize("who", STAFF)
def test_revoke_action_never_reaches_other_province(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    targets = [MODELS[model][2](own).pk, MODELS[model][2](other).pk]
    response = client.post(
        url(model, "changelist"),
        {"action": "revoke", "_selected_action": targets, "apply": "1", "revoked_on": "01/11/2026", "reason": "Thử"},
    )
    assert response.status_code == 302
    own_obj, other_obj = MODELS[model][2](own), MODELS[model][2](other)
    own_obj.refresh_from_db()
    other_obj.refresh_from_db()
    assert own_obj.revoked_on is not None
    assert other_obj.revoked_on is None


def test_log_entries_of_staff_actions_stay_their_own(world):
    client = client_for(world.sl.staff)
    client.post(
        url("producer", "add"), {"name": "HTX Epsilon", "kind": "cooperative", "province": world.sl.province.pk}
    )
    assert LogEntry.objects.filter(user=world.sl.staff).count() == 1
    index = client_for(world.qn.staff).get(reverse("admin:index"))
    assert "HTX Epsilon" not in index.content.decode()


def test_a_staff_member_without_provinces_sees_nothing(world):
    StaffProvince.objects.filter(user=world.sl.staff).delete()
    client = client_for(world.sl.staff)
    for model in MODELS:
        assert client.get(url(model, "changelist")).context["cl"].result_count == 0
    assert Province.objects.count() == ALL_PROVINCES
