"""Back-office for provinces, producers and staff-to-province assignments (core.admin: scoping, history, hardening)."""

from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin.hardening import (
    ConstraintCheckingInlineFormSet,
    HardenedAdminMixin,
    SafeManyToManyAdminMixin,
    https_formfield,
)
from core.admin.history import ChangeHistoryAdminMixin
from core.admin.imports import CatalogueExportMixin, CatalogueImportExportMixin
from core.admin.scoping import ProvinceScopedAdminMixin
from core.uploads import FORMFIELD_OVERRIDES

from .models import Producer, Province, StaffProvince
from .resources import ProducerResource, ProvinceResource, StaffProvinceResource


@admin.register(Province)
class ProvinceAdmin(
    ProvinceScopedAdminMixin, ChangeHistoryAdminMixin, HardenedAdminMixin, CatalogueExportMixin, admin.ModelAdmin
):
    list_display = ["name", "name_en", "kind", "is_current", "merged_into"]
    list_filter = ["is_current", "kind"]
    list_select_related = ["merged_into"]
    search_fields = ["name", "name_en", "slug"]
    readonly_fields = ["slug"]
    resource_classes = [ProvinceResource]


class ProducerForm(forms.ModelForm):
    class Meta:
        model = Producer
        formfield_callback = https_formfield
        fields = [
            "name",
            "kind",
            "province",
            "former_province",
            "address",
            "phone",
            "email",
            "website",
            "description",
            "logo",
            "source_url",
        ]


@admin.register(Producer)
class ProducerAdmin(
    ProvinceScopedAdminMixin,
    ChangeHistoryAdminMixin,
    HardenedAdminMixin,
    CatalogueImportExportMixin,
    SimpleHistoryAdmin,
):
    form = ProducerForm
    # The logo is checked by content, re-encoded without metadata (core.uploads).
    formfield_overrides = FORMFIELD_OVERRIDES
    ordering = ["name"]  # the count annotation groups rows, which drops the model's default ordering
    list_display = ["name", "kind", "province", "product_count", "phone", "updated"]
    list_filter = ["province", "kind"]
    list_select_related = ["province"]
    search_fields = ["name", "slug", "address", "phone", "email"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "province", "former_province", "slug"]}),
        (_("Liên hệ"), {"fields": ["address", "phone", "email", "website"]}),
        (_("Giới thiệu"), {"fields": ["description", "logo", "source_url"]}),
        (_("Thời gian"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    resource_classes = [ProducerResource]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_products=Count("products"))

    @admin.display(description=_("số sản phẩm"), ordering="n_products")
    def product_count(self, producer):
        return producer.n_products


@admin.register(StaffProvince)
class StaffProvinceAdmin(
    ProvinceScopedAdminMixin, ChangeHistoryAdminMixin, HardenedAdminMixin, CatalogueExportMixin, admin.ModelAdmin
):
    list_display = ["user", "province"]
    list_filter = ["province"]
    list_select_related = ["user", "province"]
    search_fields = ["user__username", "user__email", "province__name"]
    autocomplete_fields = ["user"]
    resource_classes = [StaffProvinceResource]


class StaffProvinceInline(ProvinceScopedAdminMixin, HardenedAdminMixin, admin.TabularInline):
    model = StaffProvince
    formset = ConstraintCheckingInlineFormSet  # one row per province and account
    extra = 1
    verbose_name = _("tỉnh, thành phố phụ trách")
    verbose_name_plural = _("tỉnh, thành phố phụ trách (nhân viên tỉnh chỉ thấy dữ liệu của các tỉnh này)")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class CatalogueUserAdmin(SafeManyToManyAdminMixin, UserAdmin):
    """Django's user admin, with the provinces each staff account looks after."""

    inlines = [*UserAdmin.inlines, StaffProvinceInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_superuser", "provinces"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("province_assignments__province")

    @admin.display(description=_("tỉnh phụ trách"))
    def provinces(self, user):
        return ", ".join(a.province.name for a in user.province_assignments.all())


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class CatalogueGroupAdmin(SafeManyToManyAdminMixin, GroupAdmin):
    """Django's group admin; a permission id out of the column's range is a form error, not a 500."""


class LoginAttemptAdmin(AccessAttemptAdmin):
    """django-axes' list of failed logins. Its "clean up expired attempts" action reads the time that axes
    stamps on a request during a login; posted from this list the request has none, and the action failed
    with a server error (jazzband/django-axes#1424): stamp the request first."""

    def response_action(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().response_action(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LoginAttemptAdmin)
