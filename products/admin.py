"""Back-office for OCOP groups, categories, products and their photos (core.admin: scoping, history, hardening)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin.hardening import HardenedAdminMixin
from core.admin.history import ChangeHistoryAdminMixin
from core.admin.imports import CatalogueExportMixin, CatalogueImportExportMixin
from core.admin.scoping import ProvinceScopedAdminMixin
from core.uploads import FORMFIELD_OVERRIDES

from .models import Category, Product, ProductGroup, ProductImage
from .resources import CategoryResource, ProductGroupResource, ProductResource


@admin.register(ProductGroup)
class ProductGroupAdmin(CatalogueExportMixin, admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["name", "name_en"]
    resource_classes = [ProductGroupResource]


@admin.register(Category)
class CategoryAdmin(ChangeHistoryAdminMixin, CatalogueExportMixin, SimpleHistoryAdmin):
    """Categories are shared by every province: national staff and superusers change them, with history."""

    ordering = ["name"]  # the count annotation groups rows, which drops the model's default ordering
    list_display = ["name", "name_en", "group", "product_count"]
    list_filter = ["group"]
    list_select_related = ["group"]
    search_fields = ["name", "name_en", "slug"]
    readonly_fields = ["slug"]
    resource_classes = [CategoryResource]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_products=Count("products"))

    @admin.display(description=_("số sản phẩm"), ordering="n_products")
    def product_count(self, category):
        return category.n_products


class ProductImageInline(ProvinceScopedAdminMixin, HardenedAdminMixin, admin.TabularInline):
    model = ProductImage
    # Photos are checked by content, re-encoded without metadata (core.uploads).
    formfield_overrides = FORMFIELD_OVERRIDES
    extra = 1
    fields = ["image", "alt_text", "position"]


class CurrentStarsFilter(admin.SimpleListFilter):
    title = _("hạng sao OCOP hiện tại")
    parameter_name = "stars"

    def lookups(self, request, model_admin):
        return [("5", _("5 sao")), ("4", _("4 sao")), ("3", _("3 sao")), ("none", _("chưa có hạng sao còn hiệu lực"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(current_stars__isnull=True)
        if self.value() in ("3", "4", "5"):
            return queryset.filter(current_stars=int(self.value()))
        return queryset


@admin.register(Product)
class ProductAdmin(
    ProvinceScopedAdminMixin,
    ChangeHistoryAdminMixin,
    HardenedAdminMixin,
    CatalogueImportExportMixin,
    SimpleHistoryAdmin,
):
    formfield_overrides = FORMFIELD_OVERRIDES
    list_display = ["name", "producer", "province", "category", "stars", "is_published", "updated"]
    list_filter = [CurrentStarsFilter, "is_published", "producer__province", "category__group", "category"]
    list_select_related = ["producer__province", "category"]
    search_fields = ["name"]
    search_help_text = _("Tìm theo tên sản phẩm, chủ thể, loại hoặc văn bản; gõ có dấu hay không dấu đều được.")
    autocomplete_fields = ["producer", "category"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "producer", "category", "is_published", "slug"]}),
        (_("Nội dung"), {"fields": ["description", "image", "source_url"]}),
        (_("Thời gian"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [ProductImageInline]
    actions = ["publish", "unpublish"]
    resource_classes = [ProductResource]

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_stars()

    def get_search_results(self, request, queryset, search_term):
        # The folded search text covers name, producer, category, province and certificate titles.
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    @admin.display(description=_("tỉnh, thành phố"), ordering="producer__province__sort_key")
    def province(self, product):
        return product.producer.province

    @admin.display(description=_("hạng sao hiện tại"), ordering="current_stars")
    def stars(self, product):
        if not product.current_stars:
            return "—"
        return _("%(stars)s sao") % {"stars": product.current_stars}

    @admin.action(description=_("Công khai các sản phẩm đã chọn"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=_("Ngừng công khai các sản phẩm đã chọn"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, value):
        # One save per product so that the history records who changed what.
        changed = 0
        for product in queryset.exclude(is_published=value).select_related("producer__province", "category"):
            product.is_published = value
            product._history_user = request.user
            product.save(update_fields=["is_published", "updated_at"])
            changed += 1
        self.message_user(
            request, ngettext("Đã cập nhật %(n)s sản phẩm.", "Đã cập nhật %(n)s sản phẩm.", changed) % {"n": changed}
        )
