"""Import and export in the back-office (django-import-export), narrowed to the user's provinces.

Column headers are Vietnamese; an import matches them however they are typed (case, diacritics,
underscores, or the English alias). django-import-export reads rows without going through the admin's
querysets, so every resource takes the user and checks the province of each row itself.
"""

import contextlib
import csv
import datetime
import io
import os
import re

import tablib
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core import signing
from django.core.exceptions import FieldError, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from core.admin.import_limits import check_file_kind, check_row_limit
from core.admin.scoping import scope_queryset
from core.cells import neutralise, restore
from core.text import fold_vietnamese
from core.validity import STAR_LEVELS


class LineKeepingCSV(CSV):
    """CSV whose empty lines stay in the dataset as blank rows, where tablib drops them: a row's number is then
    its line in the file, as the preview and the error table say (the import skips a blank row, counting it).
    Read as tablib reads it otherwise: the first row is the header, a shorter row is padded."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes) and self.encoding:
            in_stream = in_stream.decode(self.encoding)
        if isinstance(in_stream, bytes) or kwargs:
            return super().create_dataset(in_stream, **kwargs)
        rows = csv.reader(io.StringIO(in_stream, newline=""))
        dataset = tablib.Dataset()
        for i, row in enumerate(rows):
            if i == 0:
                dataset.headers = row
            else:
                dataset.append(row + [""] * (dataset.width - len(row)))
        return dataset


# Offered in this order on the import and export pages (Excel users first).
FORMATS = [XLSX, LineKeepingCSV]
MAX_IMPORT_BYTES = 5 * 1024 * 1024
_FILE_SALT = "core.admin.imports.file"
_FILE_MAX_AGE = 2 * 60 * 60  # seconds between preview and confirmation

# The history's "reason" for rows an import writes.
IMPORT_REASON = "Nhập từ tệp"

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def header_key(text) -> str:
    return fold_vietnamese(str(text or "").replace("_", " "))


def cell_text(value) -> str:
    """A cell as text, whether it came from CSV (text) or XLSX (numbers, dates, None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    # A cell this site's exports neutralised ("'=…", core/cells.py) is read back as it was written.
    return restore(" ".join(str(value).split()))


def parse_date(value) -> datetime.date:
    """A date written dd/mm/yyyy (as Vietnamese documents do), yyyy-mm-dd, or an XLSX date cell."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("«%(value)s» không phải ngày hợp lệ (viết dd/mm/yyyy, ví dụ 21/07/2025).") % {"value": text})


_STARS = re.compile(r"^(\d+)(?:[.,]0+)?\s*(?:sao|★+|\*)?$", re.IGNORECASE)


def parse_stars(value) -> int:
    text = cell_text(value)
    match = _STARS.match(text)
    stars = int(match.group(1)) if match else None
    if stars not in STAR_LEVELS:
        raise ValueError(
            _("Số sao «%(value)s» không hợp lệ: chỉ sản phẩm đạt 3, 4 hoặc 5 sao được công nhận.") % {"value": text}
        )
    return stars


def did_you_mean(labels) -> str:
    """ "Có phải ý bạn là “A” hoặc “B”?" for the one or two nearest names, or "" when there are none."""
    labels = [str(label) for label in labels][:2]
    if len(labels) == 2:
        return _("Có phải ý bạn là “%(first)s” hoặc “%(second)s”?") % {"first": labels[0], "second": labels[1]}
    if labels:
        return _("Có phải ý bạn là “%(name)s”?") % {"name": labels[0]}
    return ""


class RowErrors:
    """Collects one row's problems, column by column, and raises them together."""

    def __init__(self):
        self.errors = {}

    def add(self, column, message):
        self.errors.setdefault(str(column), []).append(str(message))

    def __bool__(self):
        return bool(self.errors)

    def raise_if_any(self):
        if self.errors:
            raise ValidationError(self.errors)


class CatalogueResource(resources.ModelResource):
    """Base of the back-office resources: scoped to `user`, Vietnamese headers, blank rows skipped."""

    #: extra header spellings, folded header -> column name
    header_aliases = {}
    #: column names a file must have
    required_columns = ()

    def __init__(self, user=None, **kwargs):
        super().__init__()
        self.user = user
        self.options = kwargs

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.user)

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if not field.readonly]

    def before_import(self, dataset, **kwargs):
        names = {header_key(field.column_name): field.column_name for field in self.fields.values()}
        names.update({header_key(alias): column for alias, column in self.header_aliases.items()})
        if not dataset.headers:
            # django-import-export records the error, then still reads every row against the missing
            # headers (a server error when the file starts with a blank line): leave it no rows to read.
            dataset.wipe()
            raise ValueError(_("Tệp không có dòng tiêu đề."))
        dataset.headers = [names.get(header_key(h), cell_text(h)) for h in dataset.headers]
        missing = [column for column in self.required_columns if column not in dataset.headers]
        if missing:
            raise ValueError(
                _("Tệp thiếu cột: %(columns)s. Hãy dùng tệp mẫu.") % {"columns": ", ".join(str(c) for c in missing)}
            )

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if value is None:  # an empty cell stays empty in the preview and the exports, never "None"
            return ""
        # A cell starting with =, +, -, @, a tab or a return is a formula to Excel: keep typed text text.
        return neutralise(value) if isinstance(value, str) else value

    @staticmethod
    def is_blank(row) -> bool:
        return all(cell_text(value) == "" for value in row.values())

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return getattr(instance, "_blank_row", False)

    class Meta:
        skip_unchanged = False
        report_skipped = False
        clean_model_instances = False


class ImportFileForm(ImportForm):
    """django-import-export's upload form, with a size limit and Vietnamese help."""

    def __init__(self, formats, resources, **kwargs):
        self.user = kwargs.pop("user", None)
        super().__init__(formats, resources, **kwargs)
        self.format_titles = [format_class().get_title() for format_class in formats]
        self.fields["import_file"].help_text = _("Tệp XLSX hoặc CSV (UTF-8), tối đa 5 MB; dòng đầu là tiêu đề cột.")

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("Tệp quá lớn; tối đa 5 MB."))
        return upload

    def clean(self):
        """The file against the chosen format (a renamed or mis-chosen file gets a message in words, not the
        reader's exception), then its rows counted the way that format reads them."""
        cleaned = super().clean()
        upload, chosen = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or not chosen:  # either already refused (the format is one of the choices if given)
            return cleaned
        kind = self.format_titles[int(chosen)]
        try:
            check_file_kind(upload, kind)
            check_row_limit(upload, kind)
        except ValidationError as error:
            self.add_error("import_file", error)
        return cleaned


def sign_file_name(name, user):
    """The kept upload's name as the confirmation form carries it: signed, tied to the user, short-lived."""
    return signing.dumps([os.path.basename(name), user.pk], salt=_FILE_SALT)


class ConfirmFileForm(ConfirmImportForm):
    """The confirmation step's hidden fields, checked so that a tampered value gives a form error, not a crash.

    The kept file's name is signed: nobody can point the import at another user's upload, or at any
    other file of the server's temporary folder (which the import would read, then delete).
    """

    def __init__(self, *args, **kwargs):
        self.user = kwargs.pop("user", None)
        self.format_count = kwargs.pop("format_count", len(FORMATS))
        super().__init__(*args, **kwargs)

    def clean_import_file_name(self):
        try:
            name, user_pk = signing.loads(self.cleaned_data["import_file_name"], salt=_FILE_SALT, max_age=_FILE_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError):
            raise ValidationError(_("Phiên nhập đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại.")) from None
        if self.user is None or user_pk != self.user.pk or os.path.basename(name) != name:
            raise ValidationError(_("Phiên nhập không hợp lệ; hãy tải tệp lên lại."))
        return name

    def clean_format(self):
        value = self.cleaned_data["format"]
        if not value.isdigit() or int(value) >= self.format_count:
            raise ValidationError(_("Định dạng tệp không hợp lệ."))
        return value


class CatalogueExportMixin(ExportMixin):
    """Export of a changelist (its filters and search, within the user's provinces) as XLSX or CSV."""

    formats = FORMATS
    # The plain form: the column-picking one relies on inline script, which the site's CSP forbids.
    export_form_class = ExportForm
    # CSV with a byte-order mark so that Excel reads the Vietnamese text as UTF-8.
    to_encoding = "utf-8-sig"

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def export_action(self, request):
        # The changelist's filters come from the address: one the changelist does not understand is
        # a message and the list again (as the changelist itself does), not a server error.
        try:
            return super().export_action(request)
        except (FieldError, IncorrectLookupParameters, ValidationError):
            messages.error(request, _("Bộ lọc trong địa chỉ không hợp lệ; hãy chọn lại bộ lọc rồi xuất tệp."))
            opts = self.model._meta
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def get_export_filename(self, request, queryset, file_format):
        stamp = timezone.localdate().isoformat()
        return f"{self.model._meta.model_name}-{stamp}.{file_format.get_extension()}"


class CatalogueImportExportMixin(ImportMixin, CatalogueExportMixin):
    """Import with a preview: nothing is saved until the user confirms, then all rows or none."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "admin/ocop/import.html"
    import_form_class = ImportFileForm
    confirm_form_class = ConfirmFileForm
    from_encoding = "utf-8-sig"

    def get_import_form_kwargs(self, request):
        return {**super().get_import_form_kwargs(request), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["import_file_name"] = sign_file_name(initial["import_file_name"], request.user)
        return initial

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        return {**kwargs, "user": request.user, "format_count": len(self.get_import_formats())}

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user, **self.import_options(getattr(kwargs.get("form"), "cleaned_data", None) or {})}

    def import_options(self, cleaned_data):
        """Extra resource arguments taken from the import (or confirmation) form."""
        return {}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        # A preview that cannot be confirmed leaves its kept copy of the upload behind: remove it.
        context = getattr(response, "context_data", None) or {}
        upload = getattr(context.get("form"), "cleaned_data", {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name and "confirm_form" not in context:
            storage = self.get_tmp_storage_class()(name=os.path.basename(name), **self.get_tmp_storage_class_kwargs())
            with contextlib.suppress(OSError):
                storage.remove()
        return response

    def process_import(self, request, **kwargs):
        if request.method == "POST":
            confirm_form = self.create_confirm_form(request)
            if not confirm_form.is_valid():
                problems = [str(m) for messages_ in confirm_form.errors.values() for m in messages_]
                messages.error(request, " ".join(dict.fromkeys(problems)))
                return redirect(self._import_url())
        try:
            return super().process_import(request, **kwargs)
        except (FileNotFoundError, UnicodeDecodeError, ValueError, IndexError):
            # The uploaded file was kept between preview and confirmation; it can vanish (restart, second
            # click) or be tampered with. Ask for it again rather than failing.
            messages.error(request, _("Không đọc được tệp đã tải lên; hãy tải tệp lên lại."))
            return redirect(self._import_url())

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _("Không lưu gì cả: dữ liệu đã thay đổi kể từ lúc xem trước. Hãy tải tệp lên lại để xem lỗi."),
            )
            return redirect(self._import_url())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _("Đã nhập xong: %(new)s mới, %(updated)s cập nhật (%(what)s).")
            % {"new": totals["new"], "updated": totals["update"], "what": self.model._meta.verbose_name_plural},
        )

    def _import_url(self):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import", current_app=self.admin_site.name)
