"""How big an import file may be once opened, checked before django-import-export loads it whole.

A 5 MB XLSX compresses millions of rows (a 3-million-row sheet killed the worker): the rows are counted
by streaming (openpyxl's read-only mode, stopping one row past the limit), and the zip's declared sizes
are checked first, so a file over the limit costs a fraction of a second and a clear message.
"""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

# What an XLSX may unpack to (its sheets' XML) before a single row is read.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def _too_many(count):
    return ValidationError(
        _(
            "Tệp có hơn %(max)s dòng dữ liệu, quá mức cho một lần nhập. Hãy chia tệp thành nhiều tệp nhỏ hơn "
            "(mỗi tệp tối đa %(max)s dòng) rồi nhập lần lượt."
        )
        % {"max": f"{max_rows():,}".replace(",", ".")},
        code="too_many_rows",
    )


def _xlsx_rows(upload, limit) -> int:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _too_many(limit + 1)
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - not a workbook openpyxl can read: the importer says so in its own words
        return 0
    try:
        count = 0
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        for _row in sheet.iter_rows(values_only=True) if sheet is not None else ():
            count += 1
            if count > limit + 1:  # the header row, then one past the limit is enough to know
                break
        return max(0, count - 1)
    finally:
        workbook.close()
        upload.seek(0)


def _csv_rows(upload, limit) -> int:
    upload.seek(0)
    count = 0
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        count += chunk.count(b"\n")
        if count > limit + 1:
            break
    upload.seek(0)
    return max(0, count - 1)


def _is_zip(upload) -> bool:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return head.startswith(b"PK")


def check_file_kind(upload, kind):
    """Refuse a file that is not what `kind` ("xlsx" or "csv") says, in words a person can act on."""
    if kind == "xlsx" and not _is_zip(upload):
        raise ValidationError(
            _(
                "Tệp này không phải tệp Excel (.xlsx). Nếu là tệp CSV, hãy chọn định dạng csv; nếu không, hãy mở "
                "tệp trong Excel và lưu lại dưới dạng .xlsx."
            ),
            code="not_xlsx",
        )
    if kind == "csv":
        if _is_zip(upload):
            raise ValidationError(
                _("Tệp này là tệp Excel (.xlsx), không phải CSV: hãy chọn định dạng xlsx."), code="not_csv"
            )
        upload.seek(0)
        try:
            upload.read().decode("utf-8-sig")  # at most MAX_IMPORT_BYTES, checked before
        except UnicodeDecodeError:
            raise ValidationError(
                _("Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: Lưu thành, chọn “CSV UTF-8”)."),
                code="not_utf8",
            ) from None
        finally:
            upload.seek(0)


def check_row_limit(upload, kind=None):
    """Refuse a spreadsheet with more than IMPORT_MAX_ROWS data rows (the header row aside); `kind` ("xlsx",
    "csv") as chosen, else guessed from the file's first bytes."""
    limit = max_rows()
    xlsx = kind == "xlsx" if kind else _is_zip(upload)
    rows = _xlsx_rows(upload, limit) if xlsx else _csv_rows(upload, limit)
    if rows > limit:
        raise _too_many(rows)
