"""The product list's CSV export: the list's filters and rows, a BOM, formulas neutralised."""

import csv
import datetime
import io
import re

import pytest

from certifications.models import CertificateKind
from core.validity import today
from tests import factories as f
from tests.site.builders import catalogue
from trade.exports import format_cell

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def days(n):
    return today() + datetime.timedelta(days=n)


# --- Export of the filtered list ---------------------------------------------------------------------


def test_export_csv_follows_the_filters_with_a_bom_and_vietnamese_intact(client):
    producer = f.producer(name="HTX Chè Đồng Tâm", kind="cooperative", phone="0212 3850 123", email="htx@example.vn")
    product = f.product(name="Chè Shan tuyết Mộc Châu", producer_obj=producer, category_obj=f.category("Chè"))
    decision = f.certificate(CertificateKind.OCOP, issued_on=days(-30), number="1032/QĐ-UBND")
    f.entry(decision, product, stars=4)
    f.entry(f.certificate(CertificateKind.GI, number="00002", title="Mộc Châu"), product)
    f.rated_product(stars=3, issued_on=days(-30), name="Mật ong bạc hà")
    response = client.get("/products/export.csv", {"stars": "4"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Sản phẩm", "Nhóm OCOP", "Loại sản phẩm", "Tỉnh, thành phố", "Chủ thể", "Loại chủ thể"]
    assert len(rows) == 2  # the 3-star product is filtered out
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Sản phẩm"] == "Chè Shan tuyết Mộc Châu"
    assert row["Nhóm OCOP"] == "Thực phẩm"
    assert row["Tỉnh, thành phố"] == "Sơn La"
    assert row["Chủ thể"] == "HTX Chè Đồng Tâm"
    assert row["Loại chủ thể"] == "Hợp tác xã"
    assert row["Điện thoại"] == "0212 3850 123"
    assert row["Hạng sao OCOP hiện hành"] == "4"
    assert row["Hiệu lực hạng sao đến"] == decision.valid_until.strftime("%d/%m/%Y")
    assert row["Tình trạng hạng sao"] == "còn hiệu lực"
    assert "Chỉ dẫn địa lý 00002" in row["Văn bản chứng nhận còn hiệu lực"]
    assert "Quyết định công nhận OCOP 1032/QĐ-UBND (4 sao)" in row["Văn bản chứng nhận còn hiệu lực"]
    assert row["Trang sản phẩm"].endswith(product.get_absolute_url())


def test_export_rows_are_the_list_rows(client):
    catalogue(5)
    query = {"province": "son-la", "cert": CertificateKind.GI, "sort": "-stars"}
    body = client.get("/products/export.csv", query).content.decode("utf-8-sig")
    exported = [row[0] for row in list(csv.reader(io.StringIO(body)))[1:]]
    listed = re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html(client.get("/products/", query)))
    assert exported == listed
    assert len(exported) == 3


def test_csv_export_neutralises_spreadsheet_formulas(client):
    assert format_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert format_cell("@SUM(A1)") == "'@SUM(A1)"
    assert format_cell("+84 912 345 678") == "+84 912 345 678"  # a phone number stays as it is
    assert format_cell("Chè Shan tuyết") == "Chè Shan tuyết"
    f.product(name="=1+1 Chè")
    body = client.get("/products/export.csv").content.decode("utf-8-sig")
    assert "'=1+1 Chè" in body
