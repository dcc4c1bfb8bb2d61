"""Server errors the fuzz tests found (tests/site/test_fuzz_admin.py, test_csrf.py), one test each, so that
each stays fixed whatever the fuzzing happens to generate next time. (The axes clean-up action is tested
with the other login-throttling tests, tests/producers/test_admin_login.py.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from producers.models import StaffProvince
from tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def url(obj, view):
    opts = type(obj)._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


# --- An empty _to_field ---------------------------------------------------------------------------------


def records(world):
    return [
        world.sl.province,
        world.sl.producer,
        world.sl.product,
        world.sl.certificate,
        world.sl.entry,
        world.category,
        world.superuser,
        StaffProvince.objects.get(user=world.sl.staff),
    ]


@pytest.mark.parametrize("view", ["change", "delete"])
def test_an_empty_to_field_is_a_400_not_a_server_error(world, view):
    """`?_to_field=` made Django's change and delete views look up a field named "" (FieldDoesNotExist)."""
    client = logged_in(world.superuser)
    for obj in records(world):
        assert client.get(url(obj, view), {"_to_field": ""}).status_code == 400
        assert client.post(url(obj, view), {"_to_field": "", "post": "yes"}).status_code == 400
        assert client.post(url(obj, view) + "?_to_field=", {"post": "yes"}).status_code == 400
        assert type(obj).objects.filter(pk=obj.pk).exists()
    # A field the admin allows still works, and so does no _to_field at all.
    assert client.get(url(world.sl.producer, "change"), {"_to_field": "id"}).status_code == 200
    assert client.get(url(world.sl.producer, view)).status_code == 200


def test_an_empty_to_field_is_refused_on_every_admin_page(world):
    client = logged_in(world.sl.staff)
    assert client.get(url(world.sl.producer, "change"), {"_to_field": ""}).status_code == 400
    assert client.get(reverse("admin:producers_producer_add"), {"_to_field": "", "_popup": "1"}).status_code == 400
    assert client.get(reverse("admin:producers_producer_changelist"), {"_to_field": ""}).status_code == 400
    assert client.get(reverse("admin:index")).status_code == 200


# --- Not an id, in an autocomplete field -------------------------------------------------------------------

NOT_IDS = ["abc", "0x10", "1.5", "ụ", "1 OR 1=1", "99999999999999999999", "-128421952015373207951376384"]
EMPTY_PHOTOS = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}


def payloads(world, value):
    """Change forms of records whose admin has autocomplete fields, with `value` in one of them."""
    sl = world.sl
    product = {"name": sl.product.name, "producer": sl.producer.pk, "category": world.category.pk, **EMPTY_PHOTOS}
    certificate = {
        "kind": "ocop",
        "number": sl.certificate.number,
        "title": sl.certificate.title,
        "issuer": sl.certificate.issuer,
        "province": sl.province.pk,
        "issued_on": "01/03/2025",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "1",
        "entries-0-id": sl.entry.pk,
        "entries-0-certificate": sl.certificate.pk,
        "entries-0-product": value,
        "entries-0-stars": "4",
        "renewals-TOTAL_FORMS": "0",
        "renewals-INITIAL_FORMS": "0",
    }
    entry = {"certificate": sl.certificate.pk, "product": sl.product.pk, "stars": "4"}
    assignment = StaffProvince.objects.get(user=sl.staff)
    return [
        (sl.product, {**product, "producer": value}),
        (sl.product, {**product, "category": value}),
        (sl.certificate, certificate),
        (sl.entry, {**entry, "certificate": value}),
        (sl.entry, {**entry, "product": value}),
        (assignment, {"user": value, "province": sl.province.pk}),
    ]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_value_that_is_no_id_in_an_autocomplete_field_is_a_form_error(world, value):
    """The autocomplete widget looked the posted value up to show it again: ValueError (or OverflowError on
    SQLite, DataError on PostgreSQL) for anything but an id in the column's range, so a 500."""
    client = logged_in(world.superuser)
    for obj, data in payloads(world, value):
        response = client.post(url(obj, "change"), data)
        assert response.status_code == 200, (obj, data)
        errors = response.context["adminform"].form.errors
        inline_errors = [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
        assert errors or any(any(e) for e in inline_errors), (obj, data)


# --- A spreadsheet without a header row -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["producers_producer", "products_product", "certifications_certifiedproduct"], ids=lambda m: m
)
def test_a_file_starting_with_a_blank_line_is_refused_not_a_server_error(world, model):
    """A CSV whose first line is blank has no headers: django-import-export read its rows anyway (a 500)."""
    content = f"\n{world.sl.product.name},{world.sl.producer.name},{world.category.name},4\n".encode()
    for user in (world.superuser, world.sl.staff):
        response = logged_in(user).post(
            reverse(f"admin:{model}_import"),
            {
                "import_file": SimpleUploadedFile("tep.csv", content),
                "format": "1",
                "resource": "0",
                "province": world.sl.province.pk,
            },
        )
        assert response.status_code == 200
        assert "Tệp không có dòng tiêu đề." in response.content.decode()
        assert "confirm_form" not in response.context


# --- A value that is no id in a many-to-many field --------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_value_that_is_no_id_in_a_many_to_many_field_is_a_form_error(world, value):
    """The accounts' and groups' many-to-many fields (groups, permissions) next to a valid choice: the
    form says the value is not one of the choices, and nothing is saved."""
    from django.contrib.auth.models import Group, Permission

    client = logged_in(world.superuser)
    group = Group.objects.create(name="Nhóm thử")
    permission = Permission.objects.first()
    staff = world.sl.staff
    before_groups = set(staff.groups.values_list("pk", flat=True))
    assignment = StaffProvince.objects.get(user=staff)
    user_form = {
        "username": staff.username,
        "email": staff.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "groups": [*before_groups, group.pk, value],
        "user_permissions": [permission.pk, value],
        "province_assignments-TOTAL_FORMS": "1",
        "province_assignments-INITIAL_FORMS": "1",
        "province_assignments-0-id": assignment.pk,
        "province_assignments-0-user": staff.pk,
        "province_assignments-0-province": assignment.province_id,
    }
    group_form = {"name": group.name, "permissions": [permission.pk, value]}
    for obj, data in ((staff, user_form), (group, group_form)):
        response = client.post(url(obj, "change"), data)
        assert response.status_code == 200, (obj, value)
        assert response.context["adminform"].form.errors, (obj, value)
    assert set(staff.groups.values_list("pk", flat=True)) == before_groups
    assert not group.permissions.exists()
    # The same forms with the valid choices alone are saved: the refusal was the value's.
    for obj, data in ((staff, user_form), (group, group_form)):
        valid = {
            name: [v for v in values if v != value] if isinstance(values, list) else values
            for name, values in data.items()
        }
        assert client.post(url(obj, "change"), valid).status_code == 302, obj
    assert set(staff.groups.values_list("pk", flat=True)) == {*before_groups, group.pk}
    assert StaffProvince.objects.filter(user=staff, province=assignment.province_id).exists()
    assert list(group.permissions.all()) == [permission]


# --- Inline rows posted as new although they exist --------------------------------------------------------


@pytest.mark.parametrize("record, prefix", [("certificate", "entries"), ("staff", "province_assignments")])
def test_existing_inline_rows_posted_as_new_are_a_form_error(world, record, prefix):
    """With the management form's INITIAL_FORMS set to 0, the existing inline rows (a decision's entries, an
    account's provinces) come back as new rows: their insert broke the model's unique constraint
    (IntegrityError, a 500)."""
    from certifications.models import CertifiedProduct
    from tests.site.page_forms import html_forms

    obj = world.sl.certificate if record == "certificate" else world.sl.staff
    client = logged_in(world.superuser)
    page = url(obj, "change")
    body = client.get(page).content.decode()
    form = next(f for f in html_forms(body, page) if f"{prefix}-TOTAL_FORMS" in f.names())
    data = form.data()
    assert data[f"{prefix}-INITIAL_FORMS"] != ["0"]  # the record has rows
    data[f"{prefix}-INITIAL_FORMS"] = ["0"]

    def rows():
        return (
            list(CertifiedProduct.objects.order_by("pk").values_list("pk", "certificate", "product")),
            list(StaffProvince.objects.order_by("pk").values_list("pk", "user", "province")),
        )

    before = rows()
    response = client.post(page, data)
    assert response.status_code == 200
    assert any(any(errors) for errors in (i.formset.errors for i in response.context["inline_admin_formsets"]))
    assert rows() == before
