"""Product exports as files a buyer opens in Excel: CSV (UTF-8 with BOM) and XLSX, from the same rows.

    csv_response(export_header(), export_rows(qs, base_url=...), "san-pham-ocop")
    xlsx_response(export_header(), export_rows(qs, base_url=...), "san-pham-ocop")

Both stream the rows of `trade.exports.export_rows` (one query, whatever the number of rows), so the
list, the shortlist, their exports and the open-data dump always hold the same columns.
"""

import csv
import datetime
import tempfile
from itertools import chain, islice

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .exports import format_cell

EXPORT_STEM = "san-pham-ocop"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths come from the header and the first rows (the file is written as a stream, so the
# widths must be set before the first row goes out); a cap keeps long texts from making huge columns.
WIDTH_SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "DD/MM/YYYY"
# openpyxl writes some 2,500 rows a second here (pure Python): past this, a request would near gunicorn's
# 30-second timeout. Bigger selections go to the CSV, which streams, or to the open-data dump.
XLSX_MAX_ROWS = 20_000
# The product list's CSV: all 100,000 products took 4 s alone and 15-27 s with six clients at once; the
# open-data dump is the file for "everything". Under the cap the file is cached (trade/views.py).
CSV_MAX_ROWS = getattr(settings, "EXPORT_CSV_MAX_ROWS", 20_000)


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value):
        return value


def dated_filename(stem, extension):
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def csv_lines(header, rows):
    """The CSV text, line by line; the byte-order mark tells Excel the file is UTF-8, so Vietnamese stays intact.
    Cells are written as `format_cell` gives them (it is also where formula-like text is neutralised)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([format_cell(cell) for cell in row])


def csv_response(header, rows, stem):
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dated_filename(stem, "csv")}"'
    return response


def csv_bytes(header, rows) -> bytes:
    return "".join(csv_lines(header, rows)).encode("utf-8")


def file_response(content: bytes, stem, extension, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{dated_filename(stem, extension)}"'
    return response


def xlsx_bytes(header, rows, *, title) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as target:
        write_xlsx(target, header, rows, title=title)
        target.seek(0)
        return target.read()


def _width(value):
    return max((len(line) for line in format_cell(value).splitlines()), default=0)


def column_widths(header, sample):
    widths = []
    for index, title in enumerate(header):
        longest = max([len(title), *(_width(row[index]) for row in sample)])
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _cell(sheet, value):
    """A cell that keeps the value's type: numbers, dates, and text that stays text even when it starts
    with "=" (a string cell is never run as a formula, and shows no apostrophe)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_xlsx(target, header, rows, *, title):
    """Write one sheet (a bold, frozen header row with a filter, sized columns, typed cells) to `target`."""
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(column_widths(header, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E4EFE8")
    wrap = Alignment(vertical="top", wrap_text=True)
    head = []
    for title_text in header:
        cell = WriteOnlyCell(sheet, value=title_text)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in chain(sample, rows):
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    workbook.save(target)
    return count


def xlsx_response(header, rows, stem, *, title):
    # The workbook is a zip written at the end: build it in a temporary file (on disk past a few MB).
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(target, header, rows, title=title)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=dated_filename(stem, "xlsx"), content_type=XLSX_CONTENT_TYPE
    )
