"""The admin index's expiry counts are links: each opens the certificate list filtered to exactly the rows
it counts, for provincial staff (their provinces, and the national decisions listing their products) and
for a superuser (every province and every national decision)."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from certifications.models import Certificate
from tests import factories as f
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:certifications_certificate_changelist")
# A count in the panel: a link to the certificate list, with its number as the text.
COUNT = re.compile(r'<td><a href="(' + re.escape(CHANGELIST) + r'[^"]*)">(\d+)</a></td>')


@pytest.fixture
def certificates(today):
    old = today - datetime.timedelta(days=1000)
    f.certificate("ocop", issued_on=today - datetime.timedelta(days=10))
    f.certificate("ocop", issued_on=old, valid_until=today + datetime.timedelta(days=20))
    f.certificate("ocop", issued_on=old, valid_until=today - datetime.timedelta(days=3))
    f.certificate("gi", revoked_on=today)
    f.certificate("gi")
    f.certificate("ocop", province_slug="quang-ninh", issued_on=old, valid_until=today + datetime.timedelta(days=1))
    f.certificate("ocop", province_slug="quang-ninh", issued_on=today)
    f.certificate("ocop", province_slug="lao-cai", issued_on=old, valid_until=today - datetime.timedelta(days=1))
    for province, number in (("son-la", "2361/QĐ-BNNMT"), ("lao-cai", "377/QĐ-BNN-VPĐP")):
        national = Certificate.objects.create(
            kind="ocop",
            level="national",
            number=number,
            title="Công nhận sản phẩm OCOP 5 sao cấp quốc gia",
            issuer="Bộ Nông nghiệp và Môi trường",
            issued_on=today - datetime.timedelta(days=30),
        )
        f.entry(national, f.product(producer_obj=f.producer(province_slug=province)), stars=5)


def follow_every_count(user):
    client = Client()
    client.force_login(user)
    page = client.get(INDEX)
    assert page.status_code == 200
    counts = [(html.unescape(url), int(n)) for url, n in COUNT.findall(page.content.decode())]
    assert counts, "the panel's counts are links"
    for url, n in counts:
        listing = client.get(url)
        assert listing.status_code == 200, url
        assert listing.context["cl"].result_count == n, url
        assert listing.context["cl"].full_result_count >= n
    return dict(counts)


def test_provincial_staff_follow_each_count_to_exactly_those_certificates(certificates):
    staff = staff_user("nv_sonla_qn", provinces=["son-la", "quang-ninh"])
    counts = follow_every_count(staff)
    son_la = f.province("son-la").pk
    assert counts[f"{CHANGELIST}?status=valid&province__id__exact={son_la}"] == 2  # an OCOP decision and a GI
    assert counts[f"{CHANGELIST}?status=revoked&province__id__exact={son_la}"] == 1
    # The national decision that lists a Sơn La product (not the one listing Lào Cai's) has its row.
    assert counts[f"{CHANGELIST}?status=valid&province__isnull=True"] == 1
    # Totals over both provinces and the national row, and the whole list.
    assert counts[f"{CHANGELIST}?status=expiring"] == 2
    assert counts[CHANGELIST] == 8


def test_a_superuser_follows_each_count_across_every_province(certificates, admin_user):
    counts = follow_every_count(admin_user)
    assert counts[f"{CHANGELIST}?status=valid&province__isnull=True"] == 2
    assert counts[f"{CHANGELIST}?status=expired"] == 2
    assert counts[CHANGELIST] == Certificate.objects.count() == 10
