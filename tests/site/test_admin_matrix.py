"""Province scoping of the back-office, model by model and path by path (issue 4, "Done when").

For each admin model × {changelist, change, history, delete, add for another province, autocomplete,
export, import}: a Sơn La staff member neither sees nor changes Quảng Ninh's records, a Quảng Ninh one
likewise, and a superuser sees both. Counts are asserted, and every page a provincial staff member opens
is searched for the other province's names (rows, filters, choices).
"""

import csv
import io

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certifications.models import Certificate, CertifiedProduct
from producers.models import Producer, Province, StaffProvince
from products.models import Product, ProductImage
from tests.admin_world import build_world

pytestmark = pytest.mark.django_db

# model key -> (app_label, model_name, how to get the record of a province set, its display name)
MODELS = {
    "province": ("producers", "province", lambda s: s.province, lambda s: s.province.name),
    "producer": ("producers", "producer", lambda s: s.producer, lambda s: s.producer.name),
    "product": ("products", "product", lambda s: s.product, lambda s: s.product.name),
    "certificate": ("certifications", "certificate", lambda s: s.certificate, lambda s: s.certificate.title),
    "entry": ("certifications", "certifiedproduct", lambda s: s.entry, lambda s: s.product.name),
}
HISTORY_MODELS = ["producer", "product", "certificate", "entry"]
STAFF = ["sl", "qn"]
ALL_PROVINCES = 63


@pytest.fixture
def world():
    return build_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def sets(world, who):
    """(own province set, the other one) of a provincial staff member."""
    return (world.sl, world.qn) if who == "sl" else (world.qn, world.sl)


def url(model, view, *args):
    app_label, model_name, *_ = MODELS[model]
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def assert_no_trace_of(response, other):
    """Nothing of the other province: its name, its records' names."""
    html = response.content.decode()
    for text in (other.province.name, other.producer.name, other.product.name, other.certificate.title):
        assert text not in html, f"{text!r} leaked into {response.request['PATH_INFO']}"


# --- changelist -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", STAFF)
def test_changelist_lists_only_own_province(world, model, who):
    own, other = sets(world, who)
    response = client_for(own.staff).get(url(model, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == 1
    assert changelist.full_result_count == 1
    assert list(changelist.result_list) == [MODELS[model][2](own)]
    assert_no_trace_of(response, other)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["super", "national"])
def test_changelist_of_superuser_and_national_staff_lists_both(world, model, who):
    response = client_for(world.staff(who)).get(url(model, "changelist"))
    assert response.status_code == 200
    expected = ALL_PROVINCES if model == "province" else 2
    assert response.context["cl"].result_count == expected
    html = response.content.decode()
    assert MODELS[model][3](world.sl) in html and MODELS[model][3](world.qn) in html


def filter_choices(response):
    changelist = response.context["cl"]
    return [str(c["display"]) for spec in changelist.filter_specs for c in spec.choices(changelist)]


@pytest.mark.parametrize("who", STAFF)
def test_filter_sidebar_and_lookup_tampering_stay_in_province(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    response = client.get(url("product", "changelist"))
    # The province filter lists only provinces with rows the user sees (one here, so Django hides it).
    assert other.province.name not in filter_choices(response)
    both = filter_choices(client_for(world.superuser).get(url("product", "changelist")))
    assert own.province.name in both and other.province.name in both
    # Asking for the other province's rows through the filter parameter gives none of them.
    tampered = client.get(url("product", "changelist"), {"producer__province__id__exact": other.province.pk})
    assert tampered.status_code == 200
    assert other.product not in tampered.context["cl"].result_list
    assert_no_trace_of(tampered, other)


# --- change -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", STAFF)
def test_change_view_of_other_province_is_not_found(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    own_page = client.get(url(model, "change", MODELS[model][2](own).pk))
    assert own_page.status_code == 200
    assert_no_trace_of(own_page, other)
    assert client.get(url(model, "change", MODELS[model][2](other).pk)).status_code == 404


@pytest.mark.parametrize("who", STAFF)
def test_posting_a_change_to_other_province_changes_nothing(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    response = client.post(
        url("producer", "change", other.producer.pk),
        {"name": "Đổi tên trái phép", "kind": "cooperative", "province": own.province.pk},
    )
    assert response.status_code == 404
    other.producer.refresh_from_db()
    assert other.producer.name != "Đổi tên trái phép"
    assert other.producer.province == other.province


@pytest.mark.parametrize("model", MODELS)
def test_superuser_opens_both_provinces_records(world, model):
    client = client_for(world.superuser)
    for province_set in (world.sl, world.qn):
        assert client.get(url(model, "change", MODELS[model][2](province_set).pk)).status_code == 200


def test_malformed_ids_are_not_found(world):
    client = client_for(world.sl.staff)
    for bad in ("abc", "999999", "1%20OR%201=1"):
        assert client.get(f"/admin/producers/producer/{bad}/change/").status_code == 404


# --- history ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", HISTORY_MODELS)
@pytest.mark.parametrize("who", STAFF)
def test_history_of_other_province_is_refused(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    own_history = client.get(url(model, "history", MODELS[model][2](own).pk))
    assert own_history.status_code == 200
    assert len(own_history.context["page_obj"].object_list) == 1
    assert client.get(url(model, "history", MODELS[model][2](other).pk)).status_code in (403, 404)
    version = MODELS[model][2](other).history.first()
    revert = client.get(url(model, "simple_history", MODELS[model][2](other).pk, version.history_id))
    assert revert.status_code in (403, 404)


@pytest.mark.parametrize("who", STAFF)
def test_history_of_a_deleted_record_of_other_province_is_refused(world, who):
    own, other = sets(world, who)
    photo_free = Producer.objects.create(name="HTX Gamma", kind="cooperative", province=other.province)
    pk = photo_free.pk
    photo_free.delete()
    response = client_for(own.staff).get(url("producer", "history", pk))
    assert response.status_code == 403
    assert client_for(world.superuser).get(url("producer", "history", pk)).status_code == 200


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_superuser_sees_history_of_both(world, model):
    client = client_for(world.superuser)
    for province_set in (world.sl, world.qn):
        assert client.get(url(model, "history", MODELS[model][2](province_set).pk)).status_code == 200


# --- delete -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["producer", "product", "certificate", "entry"])
@pytest.mark.parametrize("who", STAFF)
def test_delete_of_other_province_is_not_found(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    target = MODELS[model][2](other)
    assert client.get(url(model, "delete", target.pk)).status_code == 404
    assert client.post(url(model, "delete", target.pk), {"post": "yes"}).status_code == 404
    assert type(target).objects.filter(pk=target.pk).exists()
    assert client.get(url(model, "delete", MODELS[model][2](own).pk)).status_code == 200


@pytest.mark.parametrize("who", STAFF)
def test_delete_action_with_other_provinces_ids_deletes_nothing_of_theirs(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    spare = Producer.objects.create(name="HTX Delta", kind="household", province=own.province)
    response = client.post(
        url("producer", "changelist"),
        {"action": "delete_selected", "_selected_action": [other.producer.pk, spare.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Producer.objects.filter(pk=other.producer.pk).exists()
    assert not Producer.objects.filter(pk=spare.pk).exists()


def test_superuser_deletes_in_any_province(world):
    spare = Producer.objects.create(name="HTX Delta", kind="household", province=world.qn.province)
    response = client_for(world.superuser).post(url("producer", "delete", spare.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Producer.objects.filter(pk=spare.pk).exists()


def test_provincial_staff_cannot_change_provinces_or_staff_assignments(world):
    client = client_for(world.sl.staff)
    assert client.get(url("province", "add")).status_code == 403
    assert client.post(url("province", "delete", world.sl.province.pk), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:producers_staffprovince_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


# --- add for another province -----------------------------------------------------------------------

INLINE_EMPTY = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def _inline(prefix):
    return {f"{prefix}-{key}": value for key, value in INLINE_EMPTY.items()}


def add_payloads(world, own, target):
    """Add-form data for each model, naming `target`'s province (or its records)."""
    return {
        "producer": (Producer, {"name": "HTX Mới", "kind": "cooperative", "province": target.province.pk}),
        "product": (
            Product,
            {
                "name": "Sản phẩm Mới",
                "producer": target.producer.pk,
                "category": world.category.pk,
                "is_published": "on",
                **_inline("photos"),
            },
        ),
        "certificate": (
            Certificate,
            {
                "kind": "ocop",
                "number": "777/QĐ-UBND",
                "title": "Quyết định Mới",
                "issuer": "UBND",
                "province": target.province.pk,
                "issued_on": "01/06/2025",
                **_inline("entries"),
            },
        ),
        "entry": (
            CertifiedProduct,
            {"certificate": target.certificate.pk, "product": own.product.pk, "stars": "5"},
        ),
    }


@pytest.mark.parametrize("model", ["producer", "product", "certificate", "entry"])
@pytest.mark.parametrize("who", STAFF)
def test_add_for_another_province_is_refused(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    model_class, data = add_payloads(world, own, other)[model]
    before = model_class.objects.count()
    response = client.post(url(model, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert model_class.objects.count() == before
    # The same form naming the user's own province is accepted: the refusal above is about the province.
    model_class, data = add_payloads(world, own, own)[model]
    if model == "entry":
        data["product"] = Product.objects.create(name="Sản phẩm Mới", producer=own.producer, category=world.category).pk
    assert client.post(url(model, "add"), data).status_code == 302
    assert model_class.objects.count() == before + 1


@pytest.mark.parametrize("who", STAFF)
def test_add_form_offers_only_own_province(world, who):
    own, other = sets(world, who)
    response = client_for(own.staff).get(url("producer", "add"))
    choices = response.context["adminform"].form.fields["province"].queryset
    assert list(choices) == [own.province]
    assert response.context["adminform"].form.initial["province"] == own.province.pk
    assert_no_trace_of(response, other)


@pytest.mark.parametrize("who", STAFF)
def test_inline_photos_of_other_province_cannot_be_attached(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    before = ProductImage.objects.count()
    response = client.post(
        url("product", "change", other.product.pk),
        {
            "name": other.product.name,
            "producer": other.producer.pk,
            "category": world.category.pk,
            **_inline("photos"),
        },
    )
    assert response.status_code == 404
    assert ProductImage.objects.count() == before


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


@pytest.mark.parametrize("target", ["producer", "product", "certificate"])
@pytest.mark.parametrize("who", STAFF)
def test_autocomplete_offers_only_own_province(world, target, who):
    own, other = sets(world, who)
    texts = autocomplete(client_for(own.staff), target)
    assert texts == {str(getattr(own, target))}
    assert str(getattr(other, target)) not in texts


@pytest.mark.parametrize("target", ["producer", "product", "certificate"])
def test_autocomplete_of_superuser_offers_both(world, target):
    texts = autocomplete(client_for(world.superuser), target)
    assert texts == {str(getattr(world.sl, target)), str(getattr(world.qn, target))}


def test_categories_are_shared_by_every_province(world):
    assert autocomplete(client_for(world.sl.staff), "category") == {"Chè thử"}
    assert autocomplete(client_for(world.qn.staff), "category") == {"Chè thử"}


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
