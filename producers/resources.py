"""Spreadsheet import and export of producers (and exports of provinces and staff assignments).

A producer row is created in, or moved to, only a province the user looks after; an "ID" column
updates that producer, and only if it is one of the user's.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.fields import Field

from core.admin.imports import IMPORT_REASON, CatalogueResource, RowErrors, cell_text
from core.admin.scoping import scope_queryset
from core.text import fold_vietnamese

from .models import Producer, Province, StaffProvince

_KIND_PREFIXES = (
    (Producer.Kind.COOPERATIVE_GROUP, ("to hop tac", "tht ")),
    (Producer.Kind.COOPERATIVE, ("htx", "hop tac xa", "lien hiep htx", "lien hiep hop tac xa")),
    (Producer.Kind.ENTERPRISE, ("cong ty", "cty", "doanh nghiep", "dntn", "tong cong ty")),
    (Producer.Kind.HOUSEHOLD, ("ho ", "hkd", "co so")),
)


def producer_kind_from(text, name=""):
    """The producer kind written as a code, a label or a usual short form, else read from the name."""
    folded = fold_vietnamese(text)
    if folded:
        for kind in Producer.Kind:
            if folded in (kind.value, kind.value.replace("_", " "), fold_vietnamese(kind.label)):
                return kind
    start = (folded or fold_vietnamese(name)) + " "
    for kind, prefixes in _KIND_PREFIXES:
        if start.startswith(prefixes):
            return kind
    return None


def kind_choices_text():
    return ", ".join(str(kind.label) for kind in Producer.Kind)


class ScopedRowResource(CatalogueResource):
    """Rows keyed by an optional "ID" column: with it, update that row (if it is the user's); without, create."""

    def get_instance(self, instance_loader, row):
        raw = cell_text(row.get("ID"))
        if raw.isdigit():
            return self.get_queryset().filter(pk=int(raw)).first()
        return None

    def check_id(self, instance, row, errors):
        raw = cell_text(row.get("ID"))
        if raw and instance.pk is None:
            errors.add("ID", _("Không có bản ghi mã %(id)s trong phạm vi bạn phụ trách.") % {"id": raw})

    def set_text(self, instance, row, column, attribute, errors, required=False):
        if column not in row:
            return
        value = cell_text(row[column])
        if required and not value:
            errors.add(column, _("Thiếu %(column)s.") % {"column": column.lower()})
        setattr(instance, attribute, value)

    def set_url(self, instance, row, column, attribute, errors):
        """A web address; typed without a scheme ("example.org") it is https, as in the admin's forms."""
        if column not in row:
            return
        value = cell_text(row[column])
        if value and "://" not in value:
            value = f"https://{value}"
        setattr(instance, attribute, value)

    def validate(self, instance, errors):
        """Model validation (the slug is made on saving), its messages filed under the file's column names."""
        columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
        try:
            instance.full_clean(exclude=["slug"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(columns.get(field, columns.get(f"{field}__name", field)), message)
        errors.raise_if_any()

    def import_instance(self, instance, row, **kwargs):
        if self.is_blank(row):
            instance._blank_row = True
            return
        errors = RowErrors()
        self.check_id(instance, row, errors)
        self.fill(instance, row, errors)
        errors.raise_if_any()
        self.validate(instance, errors)
        instance._change_reason = IMPORT_REASON

    def fill(self, instance, row, errors):
        raise NotImplementedError


class ProducerResource(ScopedRowResource):
    id = Field(attribute="id", column_name="ID", readonly=True)
    name = Field(attribute="name", column_name="Tên chủ thể")
    kind = Field(attribute="get_kind_display", column_name="Loại chủ thể")
    province = Field(attribute="province__name", column_name="Tỉnh, thành phố")
    former_province = Field(attribute="former_province__name", column_name="Tỉnh cũ")
    address = Field(attribute="address", column_name="Địa chỉ")
    phone = Field(attribute="phone", column_name="Điện thoại")
    email = Field(attribute="email", column_name="Email")
    website = Field(attribute="website", column_name="Trang web")
    description = Field(attribute="description", column_name="Giới thiệu")
    source_url = Field(attribute="source_url", column_name="Nguồn")

    header_aliases = {"ten": "Tên chủ thể", "name": "Tên chủ thể", "loai": "Loại chủ thể", "tinh": "Tỉnh, thành phố"}
    required_columns = ("Tên chủ thể", "Tỉnh, thành phố")

    class Meta:
        model = Producer
        fields = (
            "id",
            "name",
            "kind",
            "province",
            "former_province",
            "address",
            "phone",
            "email",
            "website",
            "description",
            "source_url",
        )

    def get_import_fields(self):
        return [self.fields["id"], *super().get_import_fields()]

    def fill(self, producer, row, errors):
        self.set_text(producer, row, "Tên chủ thể", "name", errors, required=True)
        if "Loại chủ thể" in row or producer.pk is None:
            kind = producer_kind_from(cell_text(row.get("Loại chủ thể")), producer.name)
            if kind is None:
                errors.add(
                    "Loại chủ thể",
                    _("Không rõ loại chủ thể: ghi một trong %(kinds)s.") % {"kinds": kind_choices_text()},
                )
            else:
                producer.kind = kind
        province = self.province_from(row.get("Tỉnh, thành phố"), "Tỉnh, thành phố", errors, current=True)
        if province is not None:
            producer.province = province
        if cell_text(row.get("Tỉnh cũ")):
            producer.former_province = self.province_from(row["Tỉnh cũ"], "Tỉnh cũ", errors, current=False)
        elif "Tỉnh cũ" in row:
            producer.former_province = None
        for column, attribute in (
            ("Địa chỉ", "address"),
            ("Điện thoại", "phone"),
            ("Email", "email"),
            ("Giới thiệu", "description"),
        ):
            self.set_text(producer, row, column, attribute, errors)
        self.set_url(producer, row, "Trang web", "website", errors)
        self.set_url(producer, row, "Nguồn", "source_url", errors)

    def province_from(self, value, column, errors, *, current):
        text = cell_text(value)
        if not text:
            errors.add(column, _("Thiếu tỉnh, thành phố."))
            return None
        key = fold_vietnamese(text).removeprefix("tp. ").removeprefix("thanh pho ").removeprefix("tinh ")
        if not hasattr(self, "_provinces"):
            self._provinces = [(p, _province_keys(p)) for p in Province.objects.all()]
        everywhere = [p for p, keys in self._provinces if p.is_current == current and key in keys]
        if not everywhere:
            errors.add(column, _("Không có tỉnh, thành phố «%(name)s».") % {"name": text})
            return None
        mine = scope_queryset(Province.objects.filter(pk__in=[p.pk for p in everywhere]), self.user).first()
        if mine is None:
            errors.add(column, _("«%(name)s» không thuộc phạm vi bạn phụ trách.") % {"name": text})
        return mine


def _province_keys(province):
    name = fold_vietnamese(province.name)
    return {
        name,
        name.removeprefix("tp. "),
        province.slug,
        province.slug.replace("-", " "),
        fold_vietnamese(province.name_en),
    }


class ProvinceResource(CatalogueResource):
    name = Field(attribute="name", column_name="Tên")
    name_en = Field(attribute="name_en", column_name="Tên tiếng Anh")
    slug = Field(attribute="slug", column_name="Đường dẫn")
    kind = Field(attribute="get_kind_display", column_name="Loại")
    is_current = Field(attribute="is_current", column_name="Đơn vị hiện hành")
    merged_into = Field(attribute="merged_into__name", column_name="Sáp nhập vào")

    class Meta:
        model = Province
        fields = ("name", "name_en", "slug", "kind", "is_current", "merged_into")


class StaffProvinceResource(CatalogueResource):
    username = Field(attribute="user__username", column_name="Tài khoản")
    email = Field(attribute="user__email", column_name="Email")
    province = Field(attribute="province__name", column_name="Tỉnh, thành phố")

    class Meta:
        model = StaffProvince
        fields = ("username", "email", "province")
