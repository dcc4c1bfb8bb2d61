"""The OCOP decision file's columns and template, and the exports of certificates and their entries.

The entries' export uses the decision file's columns first, so that an export can be imported again;
the import itself (checks, matching, creation of missing records) is in certifications.decision_import.
"""

from django.utils.translation import gettext as _
from import_export.fields import Field
from import_export.widgets import DateWidget

from core.admin.imports import CatalogueResource
from core.validity import Status

from .models import Certificate, CertifiedProduct

# The decision file's columns. Headers are data, not interface text: the same in every language.
NUMBER = "Số quyết định"
DATE = "Ngày ký"
ISSUER = "Cơ quan ban hành"
TITLE = "Trích yếu"
PRODUCT = "Sản phẩm"
PRODUCER = "Chủ thể"
PRODUCER_KIND = "Loại chủ thể"
CATEGORY = "Loại sản phẩm"
STARS = "Số sao"
NOTE = "Sẽ làm gì"

DECISION_COLUMNS = (NUMBER, DATE, ISSUER, TITLE)
REQUIRED_COLUMNS = (NUMBER, DATE, ISSUER, PRODUCT, PRODUCER, CATEGORY, STARS)
TEMPLATE_HEADERS = [NUMBER, DATE, ISSUER, TITLE, PRODUCT, PRODUCER, PRODUCER_KIND, CATEGORY, STARS]


def decision_template_rows(province=None):
    """Example rows for the downloadable template (clearly examples, to be replaced)."""
    issuer = _("UBND %(province)s") % {"province": province.name if province else _("tỉnh …")}
    return [
        [
            "123/QĐ-UBND",
            "15/07/2025",
            issuer,
            _("Công nhận sản phẩm đạt chuẩn OCOP năm 2025"),
            _("Chè Shan tuyết (ví dụ)"),
            _("HTX Chè ví dụ"),
            "Hợp tác xã",
            "Chè",
            4,
        ],
        ["", "", "", "", _("Trà hoa (ví dụ)"), _("HTX Chè ví dụ"), "", "Chè", 3],
        [
            "",
            "",
            "",
            "",
            _("Mật ong hoa rừng (ví dụ)"),
            _("Hộ kinh doanh Nguyễn Văn A (ví dụ)"),
            "Hộ sản xuất, kinh doanh",
            "Mật ong",
            3,
        ],
    ]


def _status_label(code):
    try:
        return str(Status(code).label)
    except ValueError:
        return ""


class CertificateResource(CatalogueResource):
    """The certificate changelist as a spreadsheet."""

    id = Field(attribute="id", column_name="ID")
    kind = Field(attribute="get_kind_display", column_name="Loại văn bản")
    number = Field(attribute="number", column_name="Số")
    title = Field(attribute="title", column_name="Tên gọi, trích yếu")
    product_name = Field(attribute="product_name", column_name="Sản phẩm mang tên")
    issuer = Field(attribute="issuer", column_name="Cơ quan cấp")
    holder = Field(attribute="holder", column_name="Chủ sở hữu, tổ chức quản lý")
    province = Field(attribute="province__name", column_name="Tỉnh, thành phố")
    former_province = Field(attribute="former_province__name", column_name="Tỉnh ghi trên văn bản")
    issued_on = Field(attribute="issued_on", column_name="Ngày cấp", widget=DateWidget("%d/%m/%Y"))
    issued_year = Field(attribute="issued_year", column_name="Năm cấp")
    valid_until = Field(attribute="valid_until", column_name="Hiệu lực đến", widget=DateWidget("%d/%m/%Y"))
    revoked_on = Field(attribute="revoked_on", column_name="Ngày thu hồi", widget=DateWidget("%d/%m/%Y"))
    revocation_reason = Field(attribute="revocation_reason", column_name="Lý do thu hồi")
    status = Field(column_name="Tình trạng")
    source_url = Field(attribute="source_url", column_name="Nguồn")

    class Meta:
        model = Certificate
        fields = (
            "id",
            "kind",
            "number",
            "title",
            "product_name",
            "issuer",
            "holder",
            "province",
            "former_province",
            "issued_on",
            "issued_year",
            "valid_until",
            "revoked_on",
            "revocation_reason",
            "status",
            "source_url",
        )

    def dehydrate_status(self, certificate):
        return _status_label(getattr(certificate, "status_code", None) or certificate.status)


class CertifiedProductResource(CatalogueResource):
    """Entries as a spreadsheet, in the decision file's columns first (an export can be re-imported)."""

    number = Field(attribute="certificate__number", column_name=NUMBER)
    issued_on = Field(attribute="certificate__issued_on", column_name=DATE, widget=DateWidget("%d/%m/%Y"))
    issuer = Field(attribute="certificate__issuer", column_name=ISSUER)
    title = Field(attribute="certificate__title", column_name=TITLE)
    product_name = Field(attribute="product__name", column_name=PRODUCT)
    producer_name = Field(attribute="product__producer__name", column_name=PRODUCER)
    producer_kind = Field(attribute="product__producer__get_kind_display", column_name=PRODUCER_KIND)
    category_name = Field(attribute="product__category__name", column_name=CATEGORY)
    stars = Field(attribute="stars", column_name=STARS)
    kind = Field(attribute="certificate__get_kind_display", column_name="Loại văn bản")
    province = Field(attribute="certificate__province__name", column_name="Tỉnh, thành phố")
    valid_until = Field(attribute="certificate__valid_until", column_name="Hiệu lực đến", widget=DateWidget("%d/%m/%Y"))
    revoked_on = Field(attribute="revoked_on", column_name="Ngày thu hồi", widget=DateWidget("%d/%m/%Y"))
    status = Field(column_name="Tình trạng")

    class Meta:
        model = CertifiedProduct
        fields = (
            "number",
            "issued_on",
            "issuer",
            "title",
            "product_name",
            "producer_name",
            "producer_kind",
            "category_name",
            "stars",
            "kind",
            "province",
            "valid_until",
            "revoked_on",
            "status",
        )

    def dehydrate_status(self, entry):
        return _status_label(getattr(entry, "status_code", None) or entry.status)


# What each column of the template says when a cell is pointed at (an Excel note).
TEMPLATE_NOTES = {
    NUMBER: "Số của quyết định, như in trên văn bản (ví dụ 123/QĐ-UBND). Chỉ ghi ở dòng đầu của quyết định.",
    DATE: "Ngày ký, dạng dd/mm/yyyy. Chỉ ghi ở dòng đầu; các dòng dưới để trống nghĩa là «như trên».",
    ISSUER: "Cơ quan ban hành (ví dụ UBND tỉnh Sơn La). Chỉ ghi ở dòng đầu.",
    TITLE: "Trích yếu của quyết định; có thể để trống.",
    PRODUCT: "Tên sản phẩm đúng như trong quyết định.",
    PRODUCER: "Tên chủ thể sản xuất; phân biệt các sản phẩm cùng tên.",
    PRODUCER_KIND: "Chọn trong danh sách; có thể để trống nếu chủ thể đã có trong danh mục.",
    CATEGORY: "Chọn trong danh sách các loại sản phẩm của danh mục.",
    STARS: "3, 4 hoặc 5.",
}
TEMPLATE_SHEET = "Quyết định OCOP"
# The values the drop-down lists offer (not "Danh sách chọn": that is the public site's shortlist).
LISTS_SHEET = "Giá trị hợp lệ"
TEMPLATE_ROWS = 500  # rows that carry the drop-down lists


def decision_template_xlsx(rows, categories, producer_kinds) -> bytes:
    """The template as an XLSX workbook: a named sheet, a note on each header, drop-down lists for the
    stars (3-5), the producer kind and the category (from a second sheet), the example rows."""
    import io

    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = TEMPLATE_SHEET
    sheet.append(TEMPLATE_HEADERS)
    for column, header in enumerate(TEMPLATE_HEADERS, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.comment = Comment(TEMPLATE_NOTES[header], "OCOP")
        sheet.column_dimensions[get_column_letter(column)].width = max(14, len(header) + 4)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    lists = book.create_sheet(LISTS_SHEET)
    for row, (kind, category) in enumerate(zip(producer_kinds, categories, strict=False), start=1):
        lists.cell(row=row, column=1, value=kind)
        lists.cell(row=row, column=2, value=category)
    for row, category in enumerate(categories[len(producer_kinds) :], start=len(producer_kinds) + 1):
        lists.cell(row=row, column=2, value=category)
    quoted = f"'{LISTS_SHEET}'"
    choices = {
        STARS: '"3,4,5"',
        PRODUCER_KIND: f"{quoted}!$A$1:$A${max(1, len(producer_kinds))}",
        CATEGORY: f"{quoted}!$B$1:$B${max(1, len(categories))}",
    }
    # Excel refuses a value typed outside the list (a "stop" alert; the title at most 32 characters, the
    # message at most 255); the import checks every value again.
    messages = {
        STARS: _("Số sao chỉ được là 3, 4 hoặc 5."),
        PRODUCER_KIND: _("Hãy chọn loại chủ thể trong danh sách, hoặc để trống."),
        CATEGORY: _("Hãy chọn loại sản phẩm trong danh sách (trang tính «%(sheet)s»).") % {"sheet": LISTS_SHEET},
    }
    for header, formula in choices.items():
        letter = get_column_letter(TEMPLATE_HEADERS.index(header) + 1)
        validation = DataValidation(
            type="list", formula1=formula, allow_blank=True, showErrorMessage=True, errorStyle="stop"
        )
        validation.errorTitle = str(_("Giá trị không hợp lệ"))[:32]
        validation.error = str(messages[header])[:255]
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
