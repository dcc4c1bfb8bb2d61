"""The decision import's dates and line numbers: a signing date before the OCOP programme (2018) or in the
future is refused under "Ngày ký" on the line that wrote it, and the preview numbers lines as the
spreadsheet and the error table do (the header is line 1)."""

import datetime
import re

import pytest

from certifications.models import Certificate
from core import validity
from tests.certifications import test_import_decisions as decisions
from tests.certifications.test_import_decisions import DATA, confirm, errors_by_line, post_file, saved, upload

# The Sơn La catalogue and the logged-in staff member of the decision import's tests.
catalogue, client = decisions.catalogue, decisions.client

pytestmark = pytest.mark.django_db


def signed_on(date_text):
    """The good Sơn La decision file (one decision, lines 2-5) with its signing date replaced."""
    good = (DATA / "quyet_dinh_ocop_son_la.csv").read_text(encoding="utf-8-sig")
    return good.replace("14/08/2025", date_text, 1).encode()


@pytest.mark.parametrize("days", [3, 5 * 365])  # e.g. 01/01/2031, as typed in the new-user tryout
def test_a_decision_dated_in_the_future_is_refused_under_its_date(client, catalogue, days):
    future = validity.today() + datetime.timedelta(days=days)
    response = post_file(client, "tuong_lai.csv", signed_on(future.strftime("%d/%m/%Y")), catalogue["son_la"])
    errors = errors_by_line(response)
    # The date is wrong, not the number: the error is under "Ngày ký", on the line that wrote it ...
    assert list(errors[2]) == ["Ngày ký"] and "tương lai" in errors[2]["Ngày ký"][0]
    # ... and the lines "as above" point to it.
    for line in (3, 4, 5):
        assert errors[line] == {"Số quyết định": ["Quyết định ghi ở dòng 2 có lỗi."]}
    assert saved() == (0, 0)


@pytest.mark.parametrize("date_text", ["1/2/1990", "31/12/2017", "2017-06-30"])
def test_a_decision_signed_before_the_ocop_programme_is_refused(client, catalogue, date_text):
    """OCOP began in 2018 (Decision 490/QĐ-TTg): an earlier signing date is a typing error, not a 5-star decision."""
    response = post_file(client, "qua_som.csv", signed_on(date_text), catalogue["son_la"])
    errors = errors_by_line(response)
    assert sorted(errors) == [2, 3, 4, 5]
    assert list(errors[2]) == ["Ngày ký"]
    message = errors[2]["Ngày ký"][0]
    assert "Chương trình OCOP quốc gia bắt đầu năm 2018" in message and "Hãy kiểm tra lại ngày ký" in message
    assert errors[3] == {"Số quyết định": ["Quyết định ghi ở dòng 2 có lỗi."]}
    assert "confirm_form" not in response.context
    assert saved() == (0, 0)


def test_a_decision_signed_on_the_first_day_of_2018_is_accepted(client, catalogue):
    preview = post_file(client, "dau_2018.csv", signed_on("01/01/2018"), catalogue["son_la"])
    assert errors_by_line(preview) == {}
    confirm(client, preview)
    assert Certificate.objects.get(kind="ocop").issued_on == datetime.date(2018, 1, 1)


def preview_lines(response):
    """The line numbers the preview table shows, in order."""
    html = response.content.decode()
    table = html[html.index('<table class="import-preview">') :]
    table = table[: table.index("</table>")]
    return [int(n) for n in re.findall(r'<th scope="row">(\d+)</th>', table)]


def test_the_preview_numbers_rows_as_the_spreadsheet_and_the_error_table_do(client, catalogue):
    # A blank line (5) in the file: skipped, and the lines after it keep their numbers.
    lines = signed_on("14/08/2025").decode().splitlines()
    text = "\n".join([*lines[:4], ",,,,,,,,", *lines[4:]]) + "\n"
    preview = post_file(client, "dong_trong.csv", text.encode(), catalogue["son_la"])
    assert errors_by_line(preview) == {}
    assert preview_lines(preview) == [2, 3, 4, 6]
    assert "Số dòng là số dòng trong bảng tính (dòng 1 là tiêu đề)." in preview.content.decode()

    # The same file with a wrong star count on line 6: the error table names that line the same way.
    bad = text.replace("HTX Cà phê Mai Sơn,,Cà phê,4", "HTX Cà phê Mai Sơn,,Cà phê,7")
    errors = errors_by_line(post_file(client, "dong_trong.csv", bad.encode(), catalogue["son_la"]))
    assert list(errors) == [6] and list(errors[6]) == ["Số sao"]


def test_the_xlsx_preview_numbers_rows_as_the_spreadsheet(client, catalogue):
    preview = upload(client, "quyet_dinh_ocop_son_la.xlsx", catalogue["son_la"])
    assert preview_lines(preview) == [2, 3, 4, 5]


def test_an_empty_line_in_a_csv_keeps_the_lines_after_it_numbered_as_in_the_file(client, catalogue):
    """tablib drops an empty line of a CSV, which moved every later line's number up by one (LineKeepingCSV)."""
    lines = signed_on("14/08/2025").decode().splitlines()
    text = "\r\n".join([*lines[:4], "", *lines[4:]]) + "\r\n"  # line 5 empty, as a text editor leaves it
    preview = post_file(client, "dong_rong.csv", text.encode(), catalogue["son_la"])
    assert errors_by_line(preview) == {}
    assert preview_lines(preview) == [2, 3, 4, 6]
    bad = text.replace("HTX Cà phê Mai Sơn,,Cà phê,4", "HTX Cà phê Mai Sơn,,Cà phê,7")
    errors = errors_by_line(post_file(client, "dong_rong.csv", bad.encode(), catalogue["son_la"]))
    assert list(errors) == [6] and list(errors[6]) == ["Số sao"]
