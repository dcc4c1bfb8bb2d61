"""Admin login throttling (django-axes): repeated failures lock the pair of user name and address for a while."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_world import PASSWORD, staff_user

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def staff(settings):
    return staff_user("nv_sonla", provinces=["son-la"], password=PASSWORD)


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_with_a_clear_vietnamese_message(axes_on, staff):
    client = Client()
    for _ in range(4):
        response = attempt(client, "nv_sonla", "sai-mat-khau")
        assert response.status_code == 200
        assert response.context["form"].errors
    locked = attempt(client, "nv_sonla", "sai-mat-khau")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khoá đăng nhập" in html and "15 phút" in html and "5 lần đăng nhập sai" in html
    # Even the right password is refused while locked, from this address.
    assert attempt(client, "nv_sonla", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_the_pair_so_nobody_locks_a_user_name_out_from_anywhere(axes_on, staff):
    """Guessing at someone's user name from one address locks that name from that address only: the
    staff member still signs in from their own, and the guesser's other names are not locked either."""
    attacker = Client()
    for _ in range(5):
        attempt(attacker, "nv_sonla", "sai", address="203.0.113.66")
    assert attempt(attacker, "nv_sonla", PASSWORD, address="203.0.113.66").status_code == 429
    assert attempt(Client(), "nv_sonla", PASSWORD, address="10.0.0.9").status_code == 302


def test_the_lock_ends_after_the_cool_off(axes_on, staff):
    client = Client()
    for _ in range(5):
        attempt(client, "nv_sonla", "sai-mat-khau")
    assert attempt(client, "nv_sonla", PASSWORD).status_code == 429
    # Fifteen minutes later (the attempts are aged in the database rather than waiting).
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = attempt(client, "nv_sonla", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_success_resets_the_count(axes_on, staff):
    client = Client()
    for _ in range(4):
        attempt(client, "nv_sonla", "sai-mat-khau")
    assert attempt(client, "nv_sonla", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "nv_sonla", "sai-mat-khau").status_code == 200


def test_the_test_clients_login_and_force_login_still_work(staff):
    client = Client()
    assert client.login(username="nv_sonla", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    other = Client()
    other.force_login(staff)
    assert other.get(reverse("admin:index")).status_code == 200


def test_the_login_page_speaks_vietnamese(client):
    html = client.get(LOGIN_URL).content.decode()
    assert "Quản trị danh mục OCOP" in html and "Đăng nhập" in html


def test_the_clean_up_action_of_the_attempts_list_works(axes_on, staff):
    """django-axes' own admin action failed with a server error (found by tests/site/test_csrf.py)."""
    old = AccessAttempt.objects.create(
        username="nv_sonla", ip_address="10.0.0.1", user_agent="x", get_data="", post_data="", failures_since_start=5
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(hours=1))
    recent = AccessAttempt.objects.create(
        username="ai-do", ip_address="10.0.0.2", user_agent="x", get_data="", post_data="", failures_since_start=1
    )
    admin = get_user_model().objects.create_superuser("quantri", "quantri@example.org", None)
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "cleanup_expired_attempts", "_selected_action": [old.pk, recent.pk], "index": "0"},
    )
    assert response.status_code == 302
    assert list(AccessAttempt.objects.all()) == [recent]  # older than the 15-minute cool-off: cleaned up
