"""`manage.py expiry_report [--send]`: each province's staff learn what expires within 90 days."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests import factories as f
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring(today):
    """Sơn La: one decision expiring in 30 days (one of its two products revoked); Quảng Ninh: one in 60 days.
    Not expiring: a valid one, an expired one, a revoked one."""
    old = today - datetime.timedelta(days=1000)
    son_la = f.certificate("ocop", number="11/QĐ-UBND", issued_on=old, valid_until=today + datetime.timedelta(days=30))
    f.entry(son_la, f.product("Chè Tà Xùa", producer_obj=f.producer("HTX Tà Xùa")), stars=4)
    f.entry(son_la, f.product("Trà rút khỏi danh sách"), stars=3, revoked_on=today - datetime.timedelta(days=5))
    quang_ninh = f.certificate(
        "ocop",
        number="22/QĐ-UBND",
        province_slug="quang-ninh",
        issued_on=old,
        valid_until=today + datetime.timedelta(days=60),
    )
    f.entry(
        quang_ninh,
        f.product("Trà hoa vàng", producer_obj=f.producer("Công ty Đạp Thanh", province_slug="quang-ninh")),
        stars=5,
    )
    f.certificate("ocop", number="33/QĐ-UBND", issued_on=today - datetime.timedelta(days=10))
    f.certificate("ocop", number="44/QĐ-UBND", issued_on=old, valid_until=today - datetime.timedelta(days=1))
    f.certificate(
        "ocop", number="55/QĐ-UBND", issued_on=old, valid_until=today + datetime.timedelta(days=10), revoked_on=today
    )
    staff_user("nv_sonla", provinces=["son-la"], email="sonla@example.org")
    staff_user("nv_sonla_2", provinces=["son-la"], email="sonla2@example.org")
    inactive = staff_user("nv_nghi", provinces=["son-la"], email="nghi@example.org")
    inactive.is_active = False
    inactive.save()
    staff_user("nv_quangninh", provinces=["quang-ninh"], email="qn@example.org")
    return {"son_la": son_la, "quang_ninh": quang_ninh}


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("expiry_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_without_send_it_prints_each_provinces_report_and_mails_nothing(expiring, today):
    out, _ = run()
    assert len(mail.outbox) == 0
    assert "Sơn La: 1 văn bản hết hạn trong 90 ngày tới" in out
    assert "Quảng Ninh: 1 văn bản hết hạn trong 90 ngày tới" in out
    assert "11/QĐ-UBND" in out and "22/QĐ-UBND" in out
    for not_expiring in ("33/QĐ-UBND", "44/QĐ-UBND", "55/QĐ-UBND", "Trà rút khỏi danh sách"):
        assert not_expiring not in out
    assert (today + datetime.timedelta(days=30)).strftime("%d/%m/%Y") in out


def test_send_mails_each_province_to_its_active_staff(expiring):
    out, _ = run("--send")
    assert "Sent 2 report(s)" in out
    by_recipients = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipients) == {("sonla2@example.org", "sonla@example.org"), ("qn@example.org",)}
    son_la = by_recipients[("sonla2@example.org", "sonla@example.org")]
    assert son_la.subject.startswith("[OCOP Việt Nam] Sơn La: 1 văn bản")
    assert "Chè Tà Xùa (HTX Tà Xùa), 4 sao" in son_la.body
    assert "Trà rút khỏi danh sách" not in son_la.body and "22/QĐ-UBND" not in son_la.body
    assert "Trà hoa vàng (Công ty Đạp Thanh), 5 sao" in by_recipients[("qn@example.org",)].body


def test_one_province_only_and_a_province_without_addresses_is_reported(expiring):
    out, err = run("--send", "--province", "son-la")
    assert len(mail.outbox) == 1 and "Sent 1 report(s)" in out
    mail.outbox.clear()
    f.certificate(
        "ocop",
        number="66/QĐ-UBND",
        province_slug="dien-bien",
        issued_on=datetime.date(2023, 1, 1),
        valid_until=expiring["son_la"].valid_until,
    )
    out, err = run("--send", "--province", "dien-bien")
    assert len(mail.outbox) == 0
    assert "No staff with an e-mail address for Điện Biên" in err


def test_nothing_to_report_and_unknown_provinces(today):
    out, _ = run("--send")
    assert "Nothing expires" in out and len(mail.outbox) == 0
    with pytest.raises(CommandError, match="kien-giang"):
        run("--province", "kien-giang")


def test_a_national_decision_goes_to_national_staff_not_to_every_unassigned_account(expiring, today):
    """A national decision has no province: a filter on province=None would have mailed every staff account
    without a province, and a report without recipients failed on `province.name`."""
    from core.admin.scoping import NATIONAL_STAFF_GROUP

    national = f.national_decision(
        issued_on=today - datetime.timedelta(days=1000), valid_until=today + datetime.timedelta(days=20)
    )
    f.entry(national, f.product("Trà Shan tuyết 5 sao"), stars=5)
    staff_user("khong_tinh", email="unassigned@example.org")  # provincial staff, no province yet
    out, err = run("--send")
    assert "Sent 2 report(s)" in out
    assert "No national staff" in err and "Traceback" not in err
    assert not any("unassigned@example.org" in message.to for message in mail.outbox)
    staff_user("nv_trunguong", group=NATIONAL_STAFF_GROUP, email="tw@example.org")
    mail.outbox.clear()
    out, _ = run("--send")
    [national_report] = [message for message in mail.outbox if message.to == ["tw@example.org"]]
    assert national_report.subject.startswith("[OCOP Việt Nam] Quyết định cấp trung ương: 1 văn bản")
    assert "2171/QĐ-BNN-VPĐP" in national_report.body and "Sent 3 report(s)" in out
