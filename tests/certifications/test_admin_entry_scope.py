"""An entry lists a product on a certificate: staff of the certificate's province may not see or change
the entry of another province's product (its stars are that province's public record)."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User

from certifications.models import CertifiedProduct
from core.admin.scoping import in_scope, scope_queryset
from producers.models import StaffProvince
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_entries_need_both_the_certificate_and_the_product_in_scope(client):
    staff = User.objects.create_user("nv_sonla", is_staff=True)
    StaffProvince.objects.create(user=staff, province=f.province("son-la"))
    cert = f.certificate("ocop", issued_on=datetime.date(2025, 6, 1), province_slug="son-la")
    own = f.entry(cert, f.product(producer_obj=f.producer(province_slug="son-la")), stars=4)
    other = f.entry(cert, f.product(producer_obj=f.producer(province_slug="ha-noi")), stars=5)
    visible = scope_queryset(CertifiedProduct.objects.all(), staff)
    assert list(visible) == [own]
    assert in_scope(staff, own) and not in_scope(staff, other)
    client.force_login(staff)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="certifications"))
    assert client.get(f"/admin/certifications/certifiedproduct/{other.pk}/change/").status_code in (302, 403, 404)


def test_a_malformed_history_version_is_not_found(admin_client):
    product = f.product()
    response = admin_client.get(f"/admin/products/product/{product.pk}/history/abc/")
    assert response.status_code == 404


def test_head_requests_are_answered(client):
    assert client.head("/").status_code == 200
    assert client.head("/robots.txt").status_code == 200
