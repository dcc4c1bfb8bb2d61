"""The verify page: numbers typed as printed find their certificate; anything else is clearly "not found"."""

import datetime
import unicodedata

import pytest

from core.validity import today
from tests import factories as f

pytestmark = pytest.mark.django_db


def days(n):
    return today() + datetime.timedelta(days=n)


def verify(client, number):
    response = client.get("/certificates/verify/", {"number": number})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def decision():
    cert = f.certificate("ocop", issued_on=days(-200), number="1032/QĐ-UBND", title="Công nhận OCOP năm 2025")
    f.entry(cert, f.product(name="Chè Shan tuyết Mộc Châu"), stars=4)
    f.entry(cert, f.product(name="Xoài tròn Yên Châu"), stars=3)
    return cert


@pytest.mark.parametrize(
    "typed",
    [
        "1032/QĐ-UBND",
        "1032/QD-UBND",
        "1032/qđ-ubnd",
        " 1032 / QĐ - UBND ",
        "1032/QĐ–UBND",  # an en dash, as word processors print it
        unicodedata.normalize("NFD", "1032/QĐ-UBND"),
    ],
)
def test_a_number_typed_as_printed_finds_the_certificate(client, decision, typed):
    content = verify(client, typed)
    assert "Tìm thấy 1 văn bản" in content
    assert "Văn bản còn hiệu lực" in content
    assert "Chè Shan tuyết Mộc Châu" in content and "Xoài tròn Yên Châu" in content
    assert "4 sao" in content
    # A number alone does not prove the package's claim: the page asks to compare issuer, province, product.
    assert "Hãy đối chiếu cơ quan cấp, tỉnh và tên sản phẩm in trên bao bì" in content


def test_gi_serial_with_its_leading_zeros(client):
    f.certificate("gi", number="00002", title="Mộc Châu")
    assert "Tìm thấy 1 văn bản" in verify(client, "00002")


def test_an_expired_certificate_is_never_shown_valid(client):
    f.certificate("ocop", issued_on=days(-1200), valid_until=days(-1), number="77/QĐ-UBND")
    content = verify(client, "77/QD-UBND")
    assert f"Đã hết hạn ngày {days(-1):%d/%m/%Y}" in content
    assert "Văn bản còn hiệu lực" not in content
    assert "verdict-valid" not in content


def test_a_revoked_certificate_says_so(client):
    f.certificate("ocop", issued_on=days(-100), revoked_on=days(-2), number="88/QĐ-UBND")
    content = verify(client, "88/QĐ-UBND")
    assert f"Đã thu hồi ngày {days(-2):%d/%m/%Y}" in content
    assert '<span class="status-text">đã thu hồi</span>' in content


def test_an_expiring_certificate_warns(client):
    f.certificate("ocop", issued_on=days(-1000), valid_until=days(20), number="99/QĐ-UBND")
    assert f"sắp hết hạn ngày {days(20):%d/%m/%Y}" in verify(client, "99/QĐ-UBND")


def test_the_same_number_in_two_provinces_lists_both(client):
    f.certificate("ocop", issued_on=days(-10), number="5/QĐ-UBND", province_slug="son-la")
    f.certificate("ocop", issued_on=days(-10), number="5/QĐ-UBND", province_slug="lao-cai")
    content = verify(client, "5/qd-ubnd")
    assert "Tìm thấy 2 văn bản" in content
    assert "Nhiều địa phương có thể dùng cùng một số quyết định" in content


def test_a_number_not_there_is_not_found_with_advice(client, decision):
    content = verify(client, "9999/QĐ-UBND")
    assert "Không tìm thấy văn bản số “9999/QĐ-UBND”" in content
    assert "Chưa xác nhận được" in content
    assert "Cục Sở hữu trí tuệ" in content  # who to ask
    result = content.split('class="verify-result"')[1].split("</section>")[0]
    assert "còn hiệu lực" not in result and "verdict-valid" not in result


def test_a_partial_number_offers_near_matches_but_no_verdict(client, decision):
    content = verify(client, "1032")
    assert "Không tìm thấy văn bản số “1032”" in content
    assert "Các văn bản có số gần giống" in content
    assert 'href="/certificates/verify/?number=1032%2FQ%C4%90-UBND"' in content
    assert "verdict-valid" not in content


def test_an_empty_or_junk_number_shows_only_the_form(client, decision):
    for typed in ("", "   ", "\x00\x01", "\t\n"):
        content = verify(client, typed)
        assert 'id="verify-number"' in content
        assert "Tìm thấy" not in content and "Không tìm thấy" not in content
        # Blank is the same page as no number (the page cache drops empty values); anything else that holds
        # nothing to look up (NUL, control characters, punctuation) is said, not silently dropped.
        assert ("Chưa có số văn bản để kiểm tra" in content) == bool(typed.strip())


def test_the_bare_page_asks_nothing(client, decision):
    response = client.get("/certificates/verify/")
    assert "Chưa có số văn bản để kiểm tra" not in response.content.decode()


@pytest.mark.parametrize("typed", ["1032/QĐ UBND", "1032/QĐUBND", "1032 / qđ ubnd", "1032/qd-ubnd-"])
def test_a_number_without_its_hyphen_offers_the_number_with_it(client, decision, typed):
    content = verify(client, typed)
    assert "Không tìm thấy" in content and "verdict-valid" not in content  # a suggestion, never a verdict
    assert "Các văn bản có số gần giống" in content
    assert 'href="/certificates/verify/?number=1032%2FQ%C4%90-UBND"' in content


def test_a_hyphen_is_not_a_wildcard(client, decision):
    f.certificate("ocop", issued_on=days(-10), number="1032/QĐ-SNN")
    content = verify(client, "1032/QĐUBNDX")
    assert "Các văn bản có số gần giống" not in content
