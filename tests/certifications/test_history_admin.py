"""History in the admin: who changed what and when, and a revert that restores the earlier values."""

import datetime

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from certifications.models import Certificate
from core.admin.scoping import NATIONAL_STAFF_GROUP
from producers.models import Producer
from products.models import Product
from tests import factories as f
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return staff_user("nv_sonla", provinces=["son-la"])


@pytest.fixture
def client(staff):
    client = Client()
    client.force_login(staff)
    return client


def form_data(response, **changes):
    """What the change (or revert) form would post back, with `changes` applied."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        data.update({management[n].html_name: management[n].value() for n in management.fields})
        data[management["TOTAL_FORMS"].html_name] = formset.formset.initial_form_count()
        for inline_form in formset.formset.initial_forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and not isinstance(value, bool):
                    data[inline_form[name].html_name] = value
    data.update(changes)
    return data


def test_an_edit_then_a_revert_restores_the_earlier_values(client, staff):
    product = f.product(name="Chè Shan tuyết Tà Xùa", description="Chè búp khô.", producer_obj=f.producer("HTX Tà Xùa"))
    change_url = reverse("admin:products_product_change", args=[product.pk])
    response = client.post(
        change_url, form_data(client.get(change_url), name="Chè Tà Xùa đặc biệt", description="Mô tả mới.")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Chè Tà Xùa đặc biệt"

    history = client.get(reverse("admin:products_product_history", args=[product.pk]))
    assert history.status_code == 200
    records = list(history.context["page_obj"].object_list)
    assert len(records) == 2
    assert records[0].history_user == staff and records[0].history_type == "~"
    assert records[0].history_change_reason == "Sửa: tên sản phẩm, mô tả"
    assert records[1].history_change_reason is None  # created outside the admin
    html = history.content.decode()
    assert "Chè Tà Xùa đặc biệt" in html and "Chè Shan tuyết Tà Xùa" in html  # what changed is shown

    first = records[1]
    revert_url = reverse("admin:products_product_simple_history", args=[product.pk, first.history_id])
    revert_page = client.get(revert_url)
    assert revert_page.status_code == 200
    assert revert_page.context["adminform"].form["name"].value() == "Chè Shan tuyết Tà Xùa"
    response = client.post(revert_url, form_data(revert_page))
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.description) == ("Chè Shan tuyết Tà Xùa", "Chè búp khô.")
    assert product.history.count() == 3
    assert product.history.first().history_user == staff
    assert Product.objects.search("che shan tuyet").filter(pk=product.pk).exists(), "search text follows the revert"


def test_a_certificates_dates_come_back_on_revert(client):
    certificate = f.certificate("ocop", issued_on=datetime.date(2025, 1, 15), number="12/QĐ-UBND")
    url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
    client.post(url, form_data(client.get(url), issued_on="15/02/2025", valid_until="15/02/2028"))
    certificate.refresh_from_db()
    assert certificate.valid_until == datetime.date(2028, 2, 15)
    first = certificate.history.last()
    revert_url = reverse("admin:certifications_certificate_simple_history", args=[certificate.pk, first.history_id])
    assert client.post(revert_url, form_data(client.get(revert_url))).status_code == 302
    certificate.refresh_from_db()
    assert (certificate.issued_on, certificate.valid_until) == (datetime.date(2025, 1, 15), datetime.date(2028, 1, 15))


def test_a_revert_cannot_move_a_record_to_another_province(client):
    """A version whose province is outside the user's scope is refused (the form offers only their provinces)."""
    producer = f.producer("HTX Đổi tỉnh", province_slug="quang-ninh")
    Producer.objects.filter(pk=producer.pk).update(province=f.province("son-la"))
    producer.refresh_from_db()
    producer.name = "HTX Đổi tỉnh (Sơn La)"
    producer.save()
    old = producer.history.last()
    assert old.province_id == f.province("quang-ninh").pk
    revert_url = reverse("admin:producers_producer_simple_history", args=[producer.pk, old.history_id])
    assert client.get(revert_url).status_code == 403
    producer.refresh_from_db()
    assert producer.province.slug == "son-la"


def test_deletions_are_recorded_and_their_history_stays_visible():
    # Provincial staff do not delete certificates (revocation withdraws them); national staff may.
    staff = staff_user("nv_trunguong", group=NATIONAL_STAFF_GROUP)
    client = Client()
    client.force_login(staff)
    certificate = f.certificate("gi", number="00077")
    url = reverse("admin:certifications_certificate_delete", args=[certificate.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Certificate.objects.filter(pk=certificate.pk).exists()
    deleted = Certificate.history.filter(id=certificate.pk).first()
    assert deleted.history_type == "-" and deleted.history_user == staff
    history = client.get(reverse("admin:certifications_certificate_history", args=[certificate.pk]))
    assert history.status_code == 200
    assert len(history.context["page_obj"].object_list) == 2


def test_a_change_to_a_decisions_entries_is_named_in_the_decisions_history(client):
    """Only an entry's stars changed: the decision's history once said "Lưu lại, không đổi gì"."""
    certificate = f.certificate("ocop", issued_on=datetime.date(2025, 1, 15), number="13/QĐ-UBND")
    entry = f.entry(certificate, f.product(name="Chè Tà Xùa"), stars=4)
    url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
    assert client.post(url, form_data(client.get(url), **{"entries-0-stars": "3"})).status_code == 302
    entry.refresh_from_db()
    assert entry.stars == 3
    assert certificate.history.first().history_change_reason == "Sửa sản phẩm được chứng nhận: hạng sao"
    assert entry.history.first().history_change_reason == "Sửa: hạng sao"  # the row's own history, as before
    # A change to the decision itself and to an entry: both named.
    data = form_data(client.get(url), **{"entries-0-stars": "5", "notes": "Đối chiếu bản gốc"})
    assert client.post(url, data).status_code == 302
    assert certificate.history.first().history_change_reason == "Sửa: ghi chú; Sửa sản phẩm được chứng nhận: hạng sao"
