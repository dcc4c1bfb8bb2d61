"""Spreadsheet import and export of products, and exports of categories and OCOP groups.

A product row may only name a producer of the user's provinces; an "ID" column updates that product,
and only if it is one of the user's.
"""

from django.utils.translation import gettext as _
from import_export.fields import Field

from core.admin.imports import CatalogueResource, cell_text
from core.admin.scoping import scope_queryset
from core.text import fold_vietnamese
from producers.models import Producer
from producers.resources import ScopedRowResource

from .models import Category, Product, ProductGroup

_YES = {"co", "x", "1", "true", "yes", "dung"}
_NO = {"khong", "0", "false", "no", "sai"}


class ProductResource(ScopedRowResource):
    id = Field(attribute="id", column_name="ID", readonly=True)
    name = Field(attribute="name", column_name="Tên sản phẩm")
    name_en = Field(attribute="name_en", column_name="Tên tiếng Anh")
    producer = Field(attribute="producer__name", column_name="Chủ thể")
    province = Field(attribute="producer__province__name", column_name="Tỉnh, thành phố", readonly=True)
    category = Field(attribute="category__name", column_name="Loại sản phẩm")
    description = Field(attribute="description", column_name="Mô tả")
    is_published = Field(attribute="is_published", column_name="Công khai")
    current_stars = Field(attribute="current_stars", column_name="Hạng sao hiện tại", readonly=True)
    source_url = Field(attribute="source_url", column_name="Nguồn")

    header_aliases = {"ten": "Tên sản phẩm", "san pham": "Tên sản phẩm", "name": "Tên sản phẩm", "producer": "Chủ thể"}
    required_columns = ("Tên sản phẩm", "Chủ thể", "Loại sản phẩm")

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "name_en",
            "producer",
            "province",
            "category",
            "description",
            "is_published",
            "current_stars",
            "source_url",
        )

    def get_import_fields(self):
        return [self.fields["id"], *super().get_import_fields()]

    def dehydrate_is_published(self, product):
        return _("có") if product.is_published else _("không")

    def fill(self, product, row, errors):
        self.set_text(product, row, "Tên sản phẩm", "name", errors, required=True)
        self.set_text(product, row, "Tên tiếng Anh", "name_en", errors)
        self.set_text(product, row, "Mô tả", "description", errors)
        self.set_url(product, row, "Nguồn", "source_url", errors)
        producer = self._producer(cell_text(row.get("Chủ thể")), errors)
        if producer is not None:
            product.producer = producer
        category = self._category(cell_text(row.get("Loại sản phẩm")), errors)
        if category is not None:
            product.category = category
        published = fold_vietnamese(cell_text(row.get("Công khai")))
        if published in _YES:
            product.is_published = True
        elif published in _NO:
            product.is_published = False
        elif published:
            errors.add("Công khai", _("Ghi «có» hoặc «không»."))

    def _producer(self, text, errors):
        if not text:
            errors.add("Chủ thể", _("Thiếu chủ thể."))
            return None
        key = fold_vietnamese(text)
        if not hasattr(self, "_producers"):
            self._producers = {}
            for producer in scope_queryset(Producer.objects.all(), self.user):
                self._producers.setdefault(fold_vietnamese(producer.name), []).append(producer)
                self._producers.setdefault(producer.slug, []).append(producer)
        found = self._producers.get(key) or self._producers.get(key.replace(" ", "-"), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            errors.add(
                "Chủ thể", _("Có nhiều chủ thể tên «%(name)s»; hãy ghi đường dẫn (slug) của chủ thể.") % {"name": text}
            )
        elif Producer.objects.filter(name__iexact=text).exists():
            errors.add("Chủ thể", _("Chủ thể «%(name)s» thuộc tỉnh, thành phố khác.") % {"name": text})
        else:
            errors.add("Chủ thể", _("Chưa có chủ thể «%(name)s»; hãy thêm chủ thể trước.") % {"name": text})
        return None

    def _category(self, text, errors):
        if not text:
            errors.add("Loại sản phẩm", _("Thiếu loại sản phẩm."))
            return None
        if not hasattr(self, "_categories"):
            self._categories = {}
            for category in Category.objects.all():
                self._categories[fold_vietnamese(category.name)] = category
                self._categories[category.slug] = category
        key = fold_vietnamese(text)
        category = self._categories.get(key) or self._categories.get(key.replace(" ", "-"))
        if category is None:
            errors.add("Loại sản phẩm", _("Chưa có loại sản phẩm «%(name)s».") % {"name": text})
        return category


class CategoryResource(CatalogueResource):
    name = Field(attribute="name", column_name="Tên")
    name_en = Field(attribute="name_en", column_name="Tên tiếng Anh")
    slug = Field(attribute="slug", column_name="Đường dẫn")
    group = Field(attribute="group__name", column_name="Nhóm")

    class Meta:
        model = Category
        fields = ("name", "name_en", "slug", "group")


class ProductGroupResource(CatalogueResource):
    code = Field(attribute="code", column_name="Mã nhóm")
    name = Field(attribute="name", column_name="Tên")
    name_en = Field(attribute="name_en", column_name="Tên tiếng Anh")
    description = Field(attribute="description", column_name="Phạm vi")

    class Meta:
        model = ProductGroup
        fields = ("code", "name", "name_en", "description")
