"""The public certificate register and the certificate page."""

import datetime
import re

import pytest

from core.validity import today
from tests import factories as f

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def days(n):
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def register():
    return {
        "gi": f.certificate("gi", number="00002", title="Mộc Châu"),
        "mark": f.certificate("certification_mark", title="Nhãn Sông Mã", issued_on=days(-400)),
        "valid": f.certificate("ocop", issued_on=days(-100), number="10/QĐ-UBND", title="Quyết định còn hạn"),
        "expired": f.certificate(
            "ocop", issued_on=days(-1200), valid_until=days(-1), number="11/QĐ-UBND", title="Quyết định hết hạn"
        ),
        "revoked": f.certificate(
            "ocop", issued_on=days(-100), revoked_on=days(-3), number="12/QĐ-UBND", title="Quyết định thu hồi"
        ),
        "elsewhere": f.certificate("gi", province_slug="tuyen-quang", number="00104", title="Na Hang"),
    }


def titles(content):
    return set(re.findall(r'<h2 class="register-title"><a href="[^"]+">([^<]+)</a>', content))


def test_register_lists_every_certificate_with_its_status(client, register):
    content = html(client.get("/certificates/"))
    assert titles(content) == {c.title for c in register.values()}
    assert "6 văn bản" in content
    for words in ("còn hiệu lực", "hết hạn", "đã thu hồi"):
        assert f'<span class="status-text">{words}</span>' in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "gi"}, {"gi", "elsewhere"}),
        ({"kind": ["gi", "certification_mark"]}, {"gi", "mark", "elsewhere"}),
        ({"province": "tuyen-quang"}, {"elsewhere"}),
        ({"province": "ha-giang"}, {"elsewhere"}),  # a former province means its current unit
        ({"status": "expired"}, {"expired"}),
        ({"status": ["revoked", "expired"]}, {"revoked", "expired"}),
        ({"status": "valid", "kind": "ocop"}, {"valid"}),
        ({"kind": "nonsense", "status": "maybe"}, {"gi", "mark", "valid", "expired", "revoked", "elsewhere"}),
    ],
)
def test_register_filters_by_kind_province_and_status(client, register, query, expected):
    content = html(client.get("/certificates/", query))
    assert titles(content) == {register[key].title for key in expected}


def test_register_says_what_it_ignored(client, register):
    content = html(client.get("/certificates/", {"kind": "nonsense", "province": "atlantis"}))
    assert "“nonsense”" in content and "“atlantis”" in content


def test_certificate_page_lists_its_products_stars_and_status(client):
    decision = f.certificate("ocop", issued_on=days(-30), number="1032/QĐ-UBND", issuer="UBND tỉnh Sơn La")
    kept = f.product(name="Chè Shan tuyết")
    withdrawn = f.product(name="Táo mèo")
    f.entry(decision, kept, stars=4)
    f.entry(decision, withdrawn, stars=3, revoked_on=days(-1))
    content = html(client.get(decision.get_absolute_url()))
    assert "1032/QĐ-UBND" in content and "UBND tỉnh Sơn La" in content
    assert "Văn bản còn hiệu lực" in content
    rows = re.findall(r"<tr>.*?</tr>", content, re.S)
    kept_row = next(row for row in rows if "Chè Shan tuyết" in row)
    withdrawn_row = next(row for row in rows if "Táo mèo" in row)
    assert "4 sao" in kept_row and "còn hiệu lực" in kept_row
    assert "đã thu hồi" in withdrawn_row and "không còn hiệu lực" in withdrawn_row
    # The table says stars as the product page's card does: a withdrawn rating struck out, not drawn.
    assert '<span class="stars-past">3 sao (không còn hiệu lực)</span>' in withdrawn_row
    assert "stars-past" not in kept_row and 'class="rating"' in kept_row
    assert "/certificates/verify/?number=1032%2FQ%C4%90-UBND" in content


def test_certificate_page_of_an_expired_decision_says_so(client, register):
    content = html(client.get(register["expired"].get_absolute_url()))
    assert f"Đã hết hạn ngày {days(-1):%d/%m/%Y}" in content
    assert "Văn bản còn hiệu lực" not in content


def test_gi_page_shows_no_expiry_and_former_province(client):
    gi = f.certificate("gi", province_slug="an-giang", number="00001", title="Phú Quốc", holder="Hội nước mắm Phú Quốc")
    gi.former_province = f.province("kien-giang")
    gi.save()
    content = html(client.get(gi.get_absolute_url()))
    assert "không thời hạn" in content
    assert "(văn bản ghi Kiên Giang)" in content
    assert "Hội nước mắm Phú Quốc" in content


@pytest.mark.parametrize(
    "path", ["/certificates/0/", "/certificates/999999999/", "/certificates/99999999999999999999/"]
)
def test_unknown_or_huge_certificate_ids_are_404(client, path):
    assert client.get(path).status_code == 404
