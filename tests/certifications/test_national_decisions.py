"""National OCOP decisions have no province: national staff and superusers write them; provincial staff see,
read-only, those that list their products, and cannot make one."""

import pytest
from django.test import Client
from django.urls import reverse

from certifications.models import Certificate
from core.admin.scoping import NATIONAL_STAFF_GROUP
from tests import factories as f
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_decision():
    decision = f.national_decision("2361/QĐ-BNNMT", title="Công nhận sản phẩm OCOP 5 sao cấp quốc gia")
    f.entry(decision, f.product(name="Trà Sơn La", producer_obj=f.producer(province_slug="son-la")), stars=5)
    return decision


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(certificate):
    return reverse("admin:certifications_certificate_change", args=[certificate.pk])


def form_data(certificate, **changes):
    data = {
        "kind": "ocop",
        "level": "national",
        "number": certificate.number,
        "title": certificate.title,
        "issuer": certificate.issuer,
        "province": "",
        "issued_on": "26/06/2025",
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
        "renewals-TOTAL_FORMS": "0",
        "renewals-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_provincial_staff_see_a_national_decision_listing_their_product_read_only(national_decision):
    son_la = logged_in(staff_user("nv_sl", provinces=["son-la"]))
    listing = son_la.get(reverse("admin:certifications_certificate_changelist")).content.decode()
    assert "2361/QĐ-BNNMT" in listing
    page = son_la.get(change_url(national_decision))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # a view, not a form
    refused = son_la.post(change_url(national_decision), form_data(national_decision, title="Đã sửa"))
    assert refused.status_code == 403
    national_decision.refresh_from_db()
    assert national_decision.title == "Công nhận sản phẩm OCOP 5 sao cấp quốc gia"
    delete = reverse("admin:certifications_certificate_delete", args=[national_decision.pk])
    assert son_la.post(delete, {"post": "yes"}).status_code == 403
    assert Certificate.objects.filter(pk=national_decision.pk).exists()


def test_other_provinces_do_not_see_it_and_national_staff_edit_it(national_decision):
    lao_cai = logged_in(staff_user("nv_lc", provinces=["lao-cai"]))
    assert "2361/QĐ-BNNMT" not in lao_cai.get(reverse("admin:certifications_certificate_changelist")).content.decode()
    assert lao_cai.get(change_url(national_decision)).status_code == 404
    national = logged_in(staff_user("nv_tw", group=NATIONAL_STAFF_GROUP))
    response = national.post(change_url(national_decision), form_data(national_decision, title="Tiêu đề mới"))
    assert response.status_code == 302
    national_decision.refresh_from_db()
    assert national_decision.title == "Tiêu đề mới"


def test_provincial_staff_cannot_make_a_decision_without_a_province():
    son_la = logged_in(staff_user("nv_sl2", provinces=["son-la"]))
    data = form_data(Certificate(number="1/QĐ-BNNMT", title="Giả", issuer="Bộ"))
    response = son_la.post(reverse("admin:certifications_certificate_add"), data)
    assert response.status_code == 200
    assert "province" in response.context["adminform"].form.errors
    assert not Certificate.objects.filter(number="1/QĐ-BNNMT").exists()


def test_provincial_staff_cannot_mark_their_own_decision_national():
    """A Sơn La decision recorded as "cấp trung ương" showed on the product page as a national rating."""
    son_la = f.province("son-la")
    client = logged_in(staff_user("nv_sl3", provinces=["son-la"]))
    data = form_data(Certificate(number="997/QĐ-UBND", title="Công nhận OCOP", issuer="UBND tỉnh Sơn La"))
    response = client.post(reverse("admin:certifications_certificate_add"), {**data, "province": son_la.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["level"] == [
        "Chỉ cán bộ cấp trung ương ghi quyết định cấp trung ương."
    ]
    assert not Certificate.objects.filter(number="997/QĐ-UBND").exists()
    # The province's own levels are theirs to choose.
    response = client.post(
        reverse("admin:certifications_certificate_add"), {**data, "province": son_la.pk, "level": "provincial"}
    )
    assert response.status_code == 302
    assert Certificate.objects.get(number="997/QĐ-UBND").level == "provincial"


def test_national_staff_still_record_national_decisions():
    national = staff_user("nv_tw2", group=NATIONAL_STAFF_GROUP)
    client = logged_in(national)
    data = form_data(
        Certificate(number="2362/QĐ-BNNMT", title="Công nhận 5 sao", issuer="Bộ Nông nghiệp và Môi trường")
    )
    assert client.post(reverse("admin:certifications_certificate_add"), data).status_code == 302
    assert Certificate.objects.get(number="2362/QĐ-BNNMT").level == "national"
