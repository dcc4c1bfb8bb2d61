"""Nothing a staff member deletes takes other records with it: a certificate's entries protect it,
provincial staff do not delete certificates (they revoke), and a revert restores a deleted record as it was."""

import datetime

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from certifications.models import Certificate, CertifiedProduct
from core.admin.scoping import NATIONAL_STAFF_GROUP
from tests import factories as f
from tests.admin_world import staff_user
from tests.certifications.test_history_admin import form_data

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def national():
    return _client(staff_user("nv_trunguong", group=NATIONAL_STAFF_GROUP))


@pytest.fixture
def provincial():
    return _client(staff_user("nv_sonla", provinces=["son-la"]))


@pytest.fixture
def listed():
    certificate = f.certificate("ocop", number="55/QĐ-UBND")
    f.entry(certificate, f.product(name="Mận hậu"), stars=4)
    return certificate


def test_deleting_a_certificate_with_entries_is_refused_by_the_database(listed):
    with pytest.raises(ProtectedError):
        listed.delete()
    assert CertifiedProduct.objects.filter(certificate=listed).count() == 1


def test_the_admin_names_the_entries_that_protect_it_and_deletes_nothing(national, listed):
    url = reverse("admin:certifications_certificate_delete", args=[listed.pk])
    page = national.get(url)
    assert page.status_code == 200
    assert page.context["protected"], "the page lists the entries that stop the deletion"
    national.post(url, {"post": "yes"})
    assert Certificate.objects.filter(pk=listed.pk).exists()
    assert CertifiedProduct.objects.filter(certificate=listed).count() == 1


def test_the_bulk_delete_action_refuses_too(national, listed):
    national.post(
        reverse("admin:certifications_certificate_changelist"),
        {"action": "delete_selected", "_selected_action": [listed.pk], "post": "yes"},
    )
    assert Certificate.objects.filter(pk=listed.pk).exists()
    assert CertifiedProduct.objects.filter(certificate=listed).count() == 1


def test_provincial_staff_do_not_delete_certificates(provincial):
    certificate = f.certificate("gi", number="00088")
    url = reverse("admin:certifications_certificate_delete", args=[certificate.pk])
    assert provincial.get(url).status_code == 403
    assert provincial.post(url, {"post": "yes"}).status_code == 403
    provincial.post(
        reverse("admin:certifications_certificate_changelist"),
        {"action": "delete_selected", "_selected_action": [certificate.pk], "post": "yes"},
    )
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_a_revert_brings_a_deleted_certificate_back_as_it_was(national):
    certificate = f.certificate(
        "certification_mark",
        number="178902",
        issued_on=datetime.date(2021, 6, 1),
        title="Cam Cao Phong",
        holder="Hội Cam Cao Phong",
        notes="Ghi chú gốc",
        source_url="https://ipvietnam.gov.vn/178902",
    )
    before = Certificate.objects.filter(pk=certificate.pk).values().get()
    assert national.post(reverse("admin:certifications_certificate_delete", args=[certificate.pk]), {"post": "yes"})
    assert not Certificate.objects.filter(pk=certificate.pk).exists()
    last = (
        Certificate.history.filter(id=certificate.pk, history_type="~").first()
        or Certificate.history.filter(id=certificate.pk, history_type="+").get()
    )
    url = reverse("admin:certifications_certificate_simple_history", args=[certificate.pk, last.history_id])
    assert national.post(url, form_data(national.get(url))).status_code == 302
    after = Certificate.objects.filter(pk=certificate.pk).values().get()
    for field in ("kind", "number", "title", "issuer", "holder", "province_id", "issued_on", "valid_until", "notes"):
        assert after[field] == before[field], field
    assert after["source_url"] == before["source_url"]


def test_provincial_staff_do_not_rename_shared_categories(provincial):
    category = f.category("Chè")
    url = reverse("admin:products_category_change", args=[category.pk])
    assert provincial.get(url).status_code in (200, 403)  # may view, never save
    provincial.post(url, {"name": "Chè đổi tên", "group": category.group_id})
    category.refresh_from_db()
    assert category.name == "Chè"


def test_national_staff_rename_categories_with_history(national):
    category = f.category("Chè")
    url = reverse("admin:products_category_change", args=[category.pk])
    assert national.post(url, {"name": "Chè búp", "name_en": "", "group": category.group_id}).status_code == 302
    category.refresh_from_db()
    assert category.name == "Chè búp"
    assert [record.name for record in category.history.all()][:2] == ["Chè búp", "Chè"]


def test_the_category_history_page_lists_the_rename(national):
    category = f.category("Chè")
    url = reverse("admin:products_category_change", args=[category.pk])
    national.post(url, {"name": "Chè búp", "name_en": "", "group": category.group_id})
    page = national.get(reverse("admin:products_category_history", args=[category.pk]))
    assert page.status_code == 200
    assert "Sửa: tên" in page.content.decode()
