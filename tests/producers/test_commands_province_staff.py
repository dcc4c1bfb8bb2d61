"""`manage.py province_staff`: create or update a provincial staff account, never printing a secret."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from core.admin.scoping import PROVINCIAL_STAFF_GROUP
from tests import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("province_staff", *args, stdout=out)
    return out.getvalue()


def provinces_of(username):
    return sorted(User.objects.get(username=username).province_assignments.values_list("province__slug", flat=True))


def test_creates_a_staff_account_in_the_group_with_its_provinces_and_no_password():
    output = run("nv_sonla", "--province", "son-la", "--email", "nv@sonla.gov.vn")
    user = User.objects.get(username="nv_sonla")
    assert user.is_staff and user.is_active and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [PROVINCIAL_STAFF_GROUP]
    assert user.email == "nv@sonla.gov.vn"
    assert provinces_of("nv_sonla") == ["son-la"]
    assert not user.has_usable_password()
    assert "changepassword nv_sonla" in output


def test_the_account_then_sees_its_province_only():
    run("nv_sonla", "--province", "son-la")
    f.producer("HTX Sơn La")
    f.producer("HTX Quảng Ninh", province_slug="quang-ninh")
    client = Client()
    client.force_login(User.objects.get(username="nv_sonla"))
    response = client.get(reverse("admin:producers_producer_changelist"))
    assert [p.name for p in response.context["cl"].result_list] == ["HTX Sơn La"]


def test_updating_replaces_the_provinces_and_keeps_the_password(settings):
    user = User.objects.create_user("nv", password="một-mật-khẩu-dài-2025")
    output = run("nv", "--province", "son-la", "--province", "dien-bien")
    assert "Updated" in output
    assert provinces_of("nv") == ["dien-bien", "son-la"]
    output = run("nv", "--province", "dien-bien")
    assert provinces_of("nv") == ["dien-bien"] and "No longer assigned to: son-la" in output
    user.refresh_from_db()
    assert user.check_password("một-mật-khẩu-dài-2025") and user.is_staff


def test_a_password_comes_only_from_the_environment_and_is_never_printed(monkeypatch, settings):
    secret = "Chè-Shan-tuyết-Mộc-Châu-2025!"
    monkeypatch.setenv("NV_PASSWORD", secret)
    output = run("nv_sonla", "--province", "son-la", "--password-from-env", "NV_PASSWORD")
    assert secret not in output and "Password set from the environment" in output
    assert User.objects.get(username="nv_sonla").check_password(secret)
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError, match="too weak") as error:
        run("nv_sonla", "--province", "son-la", "--password-from-env", "WEAK")
    assert "123" not in str(error.value).replace("too weak", "")
    with pytest.raises(CommandError, match="not set"):
        run("nv_sonla", "--province", "son-la", "--password-from-env", "NO_SUCH_VARIABLE")
    assert User.objects.get(username="nv_sonla").check_password(secret)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nv", "--province", "atlantis"], "Unknown province"),
        (["nv", "--province", "kien-giang"], "kien-giang → an-giang"),
        (["nv", "--province", "son-la", "--email", "not-an-email"], "Not an e-mail"),
        (["  ", "--province", "son-la"], "empty"),
    ],
)
def test_bad_arguments_are_refused_and_create_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert User.objects.count() == 0


def test_dry_run_changes_nothing():
    output = run("nv_sonla", "--province", "son-la", "--dry-run")
    assert "Would create" in output
    assert not User.objects.filter(username="nv_sonla").exists()
