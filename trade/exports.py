"""Rows of a product export: the same columns for CSV, XLSX and any other format.

    filterset = ProductFilter(request.GET)
    header = export_header()                              # translated column titles
    for row in export_rows(filterset.qs, base_url=...):   # lists of Python values, one per product
        ...

Cells are str, int (stars) or datetime.date (validity) or None, so a spreadsheet writer can keep
their types; `format_cell` turns them into text for CSV. One query whatever the number of rows: the
certificates of each product come as one aggregated string per product, streamed with iterator().
"""

import datetime

from django.db.models import Aggregate, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import cache as catalogue_cache
from core.cells import neutralise
from core.i18n import localized_name
from core.validity import status_on
from products.filters import certificate_kinds
from products.models import in_force_entries

# Between the parts of one certificate, and between certificates, inside the aggregated string:
# control characters that certificate numbers and titles never contain.
_FIELD = "\x1f"
_RECORD = "\x1e"
CHUNK_SIZE = 2000


class _GroupConcat(Aggregate):
    """Join strings of a group: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def __init__(self, expression, separator, **extra):
        super().__init__(expression, Value(separator, output_field=TextField()), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def export_header() -> list[str]:
    return [
        pgettext("export", "Sản phẩm"),
        pgettext("export", "Nhóm OCOP"),
        pgettext("export", "Loại sản phẩm"),
        pgettext("export", "Tỉnh, thành phố"),
        pgettext("export", "Chủ thể"),
        pgettext("export", "Loại chủ thể"),
        pgettext("export", "Địa chỉ"),
        pgettext("export", "Điện thoại"),
        pgettext("export", "Email"),
        pgettext("export", "Trang web"),
        pgettext("export", "Hạng sao OCOP hiện hành"),
        pgettext("export", "Hiệu lực hạng sao đến"),
        pgettext("export", "Tình trạng hạng sao"),
        pgettext("export", "Văn bản chứng nhận còn hiệu lực"),
        pgettext("export", "Trang sản phẩm"),
    ]


def with_certificates(queryset):
    """`queryset` annotated with `export_certificates`: its in-force certificates as one string."""
    text = TextField()
    certificate = Concat(
        Cast("kind", text),
        Value(_FIELD, output_field=text),
        Coalesce(Cast("certificate__number", text), Value("", output_field=text)),
        Value(_FIELD, output_field=text),
        Coalesce(Cast("certificate__title", text), Value("", output_field=text)),
        Value(_FIELD, output_field=text),
        Coalesce(Cast("stars", text), Value("", output_field=text)),
        output_field=text,
    )
    joined = (
        in_force_entries()
        .order_by()
        .values("product")
        .annotate(joined=_GroupConcat(certificate, _RECORD))
        .values("joined")
    )
    return queryset.annotate(export_certificates=Subquery(joined, output_field=TextField()))


def _certificates_text(joined) -> str:
    if not joined:
        return ""
    kinds = dict(certificate_kinds())
    items = []
    for record in sorted(joined.split(_RECORD)):
        kind, number, title, stars = (record.split(_FIELD) + ["", "", "", ""])[:4]
        text = f"{kinds.get(kind, kind)} {number}".strip() if number else f"{kinds.get(kind, kind)}: {title}"
        if stars:
            text += " " + _("(%(n)s sao)") % {"n": stars}
        items.append(text)
    return "; ".join(items)


def export_rows(queryset, *, base_url=""):
    """One list of cells per product of `queryset` (a ProductFilter's `qs`), in its order."""
    queryset = with_certificates(queryset.select_related("producer__province", "category__group"))
    producer_kinds = {}
    for product in queryset.iterator(chunk_size=CHUNK_SIZE):
        producer = product.producer
        until = getattr(product, "current_stars_until", None)
        stars = getattr(product, "current_stars", None)
        status = status_on(None, valid_until=until).label if stars else ""
        if producer.kind not in producer_kinds:
            producer_kinds[producer.kind] = producer.get_kind_display()
        yield [
            product.name,
            localized_name(product.category.group),
            localized_name(product.category),
            localized_name(producer.province),
            producer.name,
            producer_kinds[producer.kind],
            producer.address,
            producer.phone,
            producer.email,
            producer.website,
            stars,
            until,
            str(status),
            _certificates_text(product.export_certificates),
            base_url + product.get_absolute_url(),
        ]


def format_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    return neutralise(str(value))


def cached_export(key, extension, build, scopes=()):
    """The file for a filter (`key`: its query, language and site), built once and shared by every worker
    (core.cache): six buyers asking at once cost one build. A file of one province (`scopes`) is fresh
    after any write there; a national one within CATALOGUE_NATIONAL_SECONDS."""
    return catalogue_cache.get_or_build(
        "export", (extension, *key), build, timeout=catalogue_cache.PAGE_TIMEOUT, scopes=scopes
    )
