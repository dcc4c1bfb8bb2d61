"""Two staff members editing the same record: the second save, made from a form opened before the first
save, is refused with what changed, by whom; the input is kept, and saving again is a deliberate choice."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from products.models import Product
from tests import factories as f
from tests.admin_world import staff_user
from tests.certifications.test_history_admin import form_data

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def token(page):
    match = re.search(r'name="_history_token" value="(\d+)"', page.content.decode())
    assert match, "the change form carries the record's history token"
    return match.group(1)


@pytest.fixture
def product():
    return f.product(name="Chè Shan tuyết Tà Xùa", description="Chè búp khô.", producer_obj=f.producer("HTX Tà Xùa"))


def test_the_second_save_from_a_stale_form_is_refused_with_what_changed(product):
    lan = client_for(staff_user("lan", provinces=["son-la"]))
    minh = client_for(staff_user("minh", provinces=["son-la"]))
    url = reverse("admin:products_product_change", args=[product.pk])
    page_lan, page_minh = lan.get(url), minh.get(url)
    saved = lan.post(url, {**form_data(page_lan, name="Chè Tà Xùa đặc biệt"), "_history_token": token(page_lan)})
    assert saved.status_code == 302

    stale = minh.post(url, {**form_data(page_minh, description="Mô tả của Minh"), "_history_token": token(page_minh)})
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "đã được sửa sau khi bạn mở trang" in html
    assert "lan" in html and "Chè Shan tuyết Tà Xùa" in html and "Chè Tà Xùa đặc biệt" in html
    assert "Mô tả của Minh" in html, "what Minh typed is still in the form"
    product.refresh_from_db()
    assert (product.name, product.description) == ("Chè Tà Xùa đặc biệt", "Chè búp khô.")

    # Saving again from the refreshed form is a deliberate overwrite, and goes through.
    again = minh.post(url, {**form_data(stale, description="Mô tả của Minh"), "_history_token": token(stale)})
    assert again.status_code == 302
    product.refresh_from_db()
    assert product.description == "Mô tả của Minh"


def test_a_form_opened_after_the_last_save_saves(product):
    client = client_for(staff_user("lan", provinces=["son-la"]))
    url = reverse("admin:products_product_change", args=[product.pk])
    page = client.get(url)
    assert client.post(url, {**form_data(page, name="Tên mới"), "_history_token": token(page)}).status_code == 302
    page = client.get(url)
    assert client.post(url, {**form_data(page, name="Tên mới nữa"), "_history_token": token(page)}).status_code == 302
    assert Product.objects.get(pk=product.pk).name == "Tên mới nữa"


def test_certificates_are_guarded_too():
    certificate = f.certificate("gi", number="00099", title="Cũ")
    national = client_for(staff_user("tw", group="National staff"))
    url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
    page = national.get(url)
    certificate.title = "Sửa ở nơi khác"
    certificate.save()
    response = national.post(url, {**form_data(page, notes="ghi chú"), "_history_token": token(page)})
    assert response.status_code == 200
    assert "Sửa ở nơi khác" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.notes == ""
