"""The admin index's expiry panel, and changelists whose query count does not grow with their rows."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifications.services import expiry_overview
from tests import factories as f
from tests.admin_world import build_world, staff_user

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def certificates(today):
    old = today - datetime.timedelta(days=1000)
    made = {
        "sl_valid": f.certificate("ocop", issued_on=today - datetime.timedelta(days=10)),
        "sl_soon": f.certificate(
            "ocop", title="Sắp hết A", issued_on=old, valid_until=today + datetime.timedelta(days=20)
        ),
        "sl_sooner": f.certificate(
            "ocop", title="Sắp hết B", issued_on=old, valid_until=today + datetime.timedelta(days=5)
        ),
        "sl_expired": f.certificate("ocop", issued_on=old, valid_until=today - datetime.timedelta(days=3)),
        "sl_revoked": f.certificate("gi", revoked_on=today),
        "qn_soon": f.certificate(
            "ocop",
            title="Sắp hết Quảng Ninh",
            province_slug="quang-ninh",
            issued_on=old,
            valid_until=today + datetime.timedelta(days=1),
        ),
    }
    return made


def test_the_panel_counts_the_users_provinces_by_status(certificates):
    staff = staff_user("nv_sonla", provinces=["son-la"])
    overview = expiry_overview(staff)
    assert [p["name"] for p in overview["provinces"]] == ["Sơn La"]
    # valid, expiring, unknown, expired, superseded, revoked
    assert overview["provinces"][0]["counts"] == [1, 2, 0, 1, 0, 1]
    assert [c.title for c in overview["upcoming"]] == ["Sắp hết B", "Sắp hết A", "Công nhận sản phẩm OCOP"]
    html = client_for(staff).get(INDEX).content.decode()
    assert "Hiệu lực văn bản của tỉnh bạn phụ trách" in html
    assert "Sắp hết B" in html and "Sắp hết Quảng Ninh" not in html and "Quảng Ninh" not in html


def test_a_superuser_sees_every_province(certificates):
    admin_user = staff_user("quantri", provinces=[])
    admin_user.is_superuser = True
    admin_user.save()
    overview = expiry_overview(admin_user)
    assert [p["name"] for p in overview["provinces"]] == ["Quảng Ninh", "Sơn La"]
    assert overview["totals"] == [1, 3, 0, 1, 0, 1]
    assert overview["upcoming"][0].title == "Sắp hết Quảng Ninh"
    assert "Sắp hết Quảng Ninh" in client_for(admin_user).get(INDEX).content.decode()


def test_the_provinces_come_in_vietnamese_alphabetical_order(certificates, today):
    for slug in ("dien-bien", "cao-bang", "ca-mau", "lang-son", "lam-dong", "lao-cai"):
        f.certificate("ocop", province_slug=slug, issued_on=today - datetime.timedelta(days=10))
    admin_user = staff_user("quantri", provinces=[])
    admin_user.is_superuser = True
    admin_user.save()
    names = [p["name"] for p in expiry_overview(admin_user)["provinces"]]
    # Not by character codes, which put "Cao Bằng" before "Cà Mau" and "Điện Biên" after "Sơn La".
    assert names == ["Cà Mau", "Cao Bằng", "Điện Biên", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Quảng Ninh", "Sơn La"]


def test_a_national_decision_in_the_upcoming_list_is_named_national(certificates, today):
    f.national_decision(
        title="Sắp hết quốc gia",
        issued_on=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=2),
    )
    admin_user = staff_user("quantri", provinces=[])
    admin_user.is_superuser = True
    admin_user.save()
    html = client_for(admin_user).get(INDEX).content.decode()
    row = html.split("Sắp hết quốc gia", 1)[1].split("</li>", 1)[0]
    assert "Quyết định cấp trung ương" in row and "None" not in row


def test_the_index_makes_the_same_queries_for_3_or_30_certificates(today):
    staff = staff_user("nv_sonla", provinces=["son-la"])
    client = client_for(staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INDEX).status_code == 200
        return len(queries)

    for _ in range(3):
        f.certificate(
            "ocop", issued_on=today - datetime.timedelta(days=1000), valid_until=today + datetime.timedelta(days=9)
        )
    few = count()
    for _ in range(27):
        f.certificate(
            "ocop", issued_on=today - datetime.timedelta(days=1000), valid_until=today + datetime.timedelta(days=9)
        )
    assert count() == few


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:producers_producer_changelist",
        "admin:products_product_changelist",
        "admin:certifications_certificate_changelist",
        "admin:certifications_certifiedproduct_changelist",
    ],
)
def test_changelists_make_the_same_queries_whatever_the_number_of_rows(changelist):
    world = build_world()
    client = client_for(world.sl.staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(changelist))
        assert response.status_code == 200
        return len(queries), response.context["cl"].result_count

    few, rows = count()
    for i in range(10):
        producer = f.producer(f"HTX Thêm {i}")
        product = f.product(f"Sản phẩm thêm {i}", producer_obj=producer)
        f.entry(f.certificate("ocop"), product, stars=3)
    many, more_rows = count()
    assert more_rows > rows
    assert many == few
