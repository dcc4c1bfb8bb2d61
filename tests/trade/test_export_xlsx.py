"""The product list as XLSX: opens with openpyxl, holds the CSV's rows for the same filter,
with a header row, sized columns and typed cells; the CSV keeps its byte-order mark."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certifications.models import CertificateKind
from tests import factories as f
from tests.site.builders import catalogue
from trade.exports import export_header, format_cell
from trade.spreadsheets import MAX_WIDTH, write_xlsx

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    {"stars": "4"},
    {"province": "son-la", "cert": CertificateKind.GI, "sort": "-stars"},
    {"q": "san pham", "group": "1", "sort": "newest"},
    {"category": "che", "producer_kind": "enterprise"},
    {"province": "atlantis", "stars": "9", "page": "x"},
]


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(client, query):
    content = body(client.get("/products/export.csv", query))
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def workbook(client, query):
    response = client.get("/products/export.xlsx", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="san-pham-ocop-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    return openpyxl.load_workbook(io.BytesIO(body(response)))


@pytest.mark.parametrize("query", QUERIES)
def test_the_xlsx_holds_the_same_rows_as_the_csv(client, query):
    catalogue(4)
    sheet = workbook(client, query).active
    as_xlsx = [[format_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    as_csv = csv_rows(client, query)
    assert as_xlsx == as_csv
    assert len(as_csv) > 1 or query.get("province") == "atlantis"


def test_header_row_widths_and_types(client, today):
    product = f.rated_product(stars=5, issued_on=today - datetime.timedelta(days=10), name="Chè Shan tuyết Mộc Châu")
    sheet = workbook(client, {"stars": "5"}).active
    header = [cell.value for cell in sheet[1]]
    assert header == export_header()
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:O{sheet.max_row}"
    for index, title in enumerate(header, start=1):
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
        assert min(len(title), MAX_WIDTH - 2) + 2 <= width <= MAX_WIDTH
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Sản phẩm"] == "Chè Shan tuyết Mộc Châu"
    assert row["Hạng sao OCOP hiện hành"] == 5  # a number, not text
    assert isinstance(row["Hiệu lực hạng sao đến"], datetime.datetime)
    assert sheet.cell(row=2, column=header.index("Hiệu lực hạng sao đến") + 1).number_format == "DD/MM/YYYY"
    assert row["Trang sản phẩm"].endswith(product.get_absolute_url())


def test_text_that_looks_like_a_formula_stays_text_in_both_files(client):
    f.product(name='=HYPERLINK("http://evil.example","Bấm")')
    cell = workbook(client, {}).active.cell(row=2, column=1)
    assert cell.value == '=HYPERLINK("http://evil.example","Bấm")'
    assert cell.data_type == "s"  # a string, never run as a formula
    assert csv_rows(client, {})[1][0] == format_cell(cell.value)  # the CSV's cell as format_cell writes it


def test_control_characters_never_break_the_file():
    target = io.BytesIO()
    count = write_xlsx(target, ["A", "B"], [["Chè\x01\x02 Tà Xùa", "x\x1fy"]], title="Thử")
    target.seek(0)
    sheet = openpyxl.load_workbook(target).active
    assert count == 1
    assert [cell.value for cell in sheet[2]] == ["Chè Tà Xùa", "xy"]


def test_long_text_gets_a_capped_width():
    target = io.BytesIO()
    write_xlsx(target, ["Mô tả"], [["chữ " * 200]], title="Thử")
    target.seek(0)
    assert openpyxl.load_workbook(target).active.column_dimensions["A"].width == MAX_WIDTH


def test_the_list_links_to_the_xlsx_with_its_filters(client):
    catalogue(2)
    page = client.get("/products/", {"stars": "4", "province": "son-la"}).content.decode()
    assert 'href="/products/export.xlsx?province=son-la&amp;stars=4"' in page


def test_the_xlsx_export_makes_the_same_queries_whatever_the_size(client):
    catalogue(3)

    def count():
        with CaptureQueriesContext(connection) as queries:
            body(client.get("/products/export.xlsx", {"stars": "3", "province": "son-la"}))
        return len(queries)

    small = count()
    catalogue(30)
    assert count() == small
    assert small <= 6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(
                ["q", "province", "group", "category", "stars", "cert", "producer_kind", "sort", "page", "zz"]
            ),
            st.text(max_size=60),
        ),
        max_size=6,
    )
)
def test_any_parameters_give_a_file_never_an_error(client, params):
    query = "&".join(f"{key}={value}" for key, value in params)
    response = client.get("/products/export.xlsx?" + query.replace("#", "%23"))
    assert response.status_code == 200
    openpyxl.load_workbook(io.BytesIO(body(response)))


def test_a_selection_too_big_for_excel_gets_a_page_with_the_other_ways(client, monkeypatch):
    from trade import views as trade_views

    catalogue(3)  # 6 products
    monkeypatch.setattr(trade_views, "XLSX_MAX_ROWS", 5)
    response = client.get("/products/export.xlsx", {"province": ["son-la", "tuyen-quang"]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Bộ lọc hiện tại có 6 sản phẩm" in page and "tối đa 5 sản phẩm" in page
    assert 'href="/products/export.csv?province=son-la&amp;province=tuyen-quang"' in page
    assert 'href="/open-data/"' in page
    assert workbook(client, {"province": "son-la"}).active.max_row == 4  # 3 products and the header
