"""A small world for the trade tests: two producers in two provinces, each with rated products
and an e-mail address, the staff of each province, and helpers to post enquiries as a buyer would."""

import datetime
import itertools
import re
from dataclasses import dataclass

from django.urls import reverse

from certifications.models import CertificateKind
from core.validity import today
from tests import factories as f
from tests.admin_world import staff_user
from trade.shortlist import SESSION_KEY

_addresses = itertools.count(1)


@dataclass
class TradeWorld:
    tea: object  # Sơn La, 4 stars
    honey: object  # Sơn La, same producer, 3 stars
    fish_sauce: object  # Quảng Ninh, 5 stars
    sl_producer: object
    qn_producer: object
    sl_staff: object
    qn_staff: object


def build_trade_world():
    issued = today() - datetime.timedelta(days=60)
    sl_producer = f.producer(
        name="HTX Chè Tà Xùa", province_slug="son-la", email="htx.taxua@example.vn", phone="0212 111 222"
    )
    qn_producer = f.producer(
        name="Công ty Nước mắm Cái Rồng", province_slug="quang-ninh", kind="enterprise", email="caironng@example.vn"
    )
    tea = f.product(name="Chè Shan tuyết Tà Xùa", producer_obj=sl_producer, category_obj=f.category("Chè"))
    honey = f.product(name="Mật ong bạc hà", producer_obj=sl_producer, category_obj=f.category("Mật ong"))
    fish_sauce = f.product(name="Nước mắm Cái Rồng", producer_obj=qn_producer, category_obj=f.category("Nước mắm"))
    sl_decision = f.certificate(CertificateKind.OCOP, issued_on=issued, province_slug="son-la", number="1032/QĐ-UBND")
    f.entry(sl_decision, tea, stars=4)
    f.entry(sl_decision, honey, stars=3)
    f.entry(f.certificate(CertificateKind.GI, province_slug="son-la", number="00002", title="Tà Xùa"), tea)
    qn_decision = f.certificate(CertificateKind.OCOP, issued_on=issued, province_slug="quang-ninh", number="88/QĐ-UBND")
    f.entry(qn_decision, fish_sauce, stars=5)
    sl_staff = staff_user("nv_sonla", provinces=["son-la"], email="sonla.ocop@example.gov.vn")
    qn_staff = staff_user("nv_quangninh", provinces=["quang-ninh"], email="quangninh.ocop@example.gov.vn")
    return TradeWorld(tea, honey, fish_sauce, sl_producer, qn_producer, sl_staff, qn_staff)


def new_address():
    """A client address of its own, so that a test's rate-limit count never meets another test's."""
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def buyer_data(**changes):
    data = {
        "name": "Nguyễn Thị Lan",
        "organisation": "Siêu thị Xanh Hà Nội",
        "email": "lan@sieuthixanh.example",
        "phone": "0912 345 678",
        "location": "Hà Nội",
        "quantity": "500 hộp mỗi tháng",
        "message": "Chúng tôi muốn nhập chè cho chuỗi siêu thị.\nXin gửi báo giá sỉ và quy cách đóng gói.",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def enquiry_url(producer):
    return reverse("products:producer_enquiry", args=[producer.slug])


def post(client, url, data, capture):
    """Post as a buyer and run the on-commit callbacks (the mails) with `capture`."""
    with capture(execute=True):
        return client.post(url, data)


def shortlisted(client, *products):
    session = client.session
    session[SESSION_KEY] = [product.pk for product in products]
    session.save()


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())
