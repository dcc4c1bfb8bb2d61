"""Superusers assign staff to provinces on the user's admin page (StaffProvince inline)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from producers.models import Province, StaffProvince
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db


def test_a_superuser_assigns_provinces_on_the_users_page():
    admin_user = get_user_model().objects.create_superuser("quantri", "q@example.org", None)
    staff = staff_user("nv_moi", provinces=["son-la"])
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "tỉnh, thành phố phụ trách" in page.content.decode().lower()
    listing = client.get(reverse("admin:auth_user_changelist"))
    assert "Sơn La" in listing.content.decode()

    form = page.context["adminform"].form
    skip = ("password", "usable_password", "user_permissions")
    data = {name: form[name].value() or "" for name in form.fields if name not in skip}
    data.update({"groups": [g.pk for g in staff.groups.all()], "is_staff": "on", "is_active": "on"})
    data.update({"last_login_0": "", "last_login_1": "", "date_joined_0": "01/01/2025", "date_joined_1": "08:00:00"})
    existing = StaffProvince.objects.get(user=staff)
    data.update(
        {
            "province_assignments-TOTAL_FORMS": "2",
            "province_assignments-INITIAL_FORMS": "1",
            "province_assignments-MIN_NUM_FORMS": "0",
            "province_assignments-MAX_NUM_FORMS": "1000",
            "province_assignments-0-id": existing.pk,
            "province_assignments-0-user": staff.pk,
            "province_assignments-0-province": existing.province_id,
            "province_assignments-1-user": staff.pk,
            "province_assignments-1-province": Province.objects.get(slug="dien-bien").pk,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert sorted(staff.province_assignments.values_list("province__slug", flat=True)) == ["dien-bien", "son-la"]


def test_former_provinces_cannot_be_assigned():
    admin_user = get_user_model().objects.create_superuser("quantri", "q@example.org", None)
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[staff_user("nv").pk]))
    choices = page.context["inline_admin_formsets"][-1].formset.empty_form.fields["province"].queryset
    assert choices.count() == 34 and not choices.filter(is_current=False).exists()
