"""Back-office for certificates and the products on them (core.admin: scoping, history, hardening).

Certificates and entries are revoked (date and reason, kept in the history), not deleted, when a
real decision withdraws them; OCOP rating decisions go in from a spreadsheet on the entries' import page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from tablib import Dataset

from core import validity
from core.admin.hardening import HardenedAdminMixin
from core.admin.history import ChangeHistoryAdminMixin
from core.admin.imports import FORMATS, CatalogueExportMixin, CatalogueImportExportMixin
from core.admin.scoping import ProvinceScopedAdminMixin, scope_q, scope_queryset, sees_every_province
from core.text import normalise_certificate_number
from core.uploads import FORMFIELD_OVERRIDES
from core.validity import Status
from producers.models import Producer, Province
from products.models import Category

from .. import services
from ..decision_import import DecisionImportResource
from ..models import Certificate, CertificateKind, CertifiedProduct, Renewal
from ..resources import (
    TEMPLATE_HEADERS,
    CertificateResource,
    CertifiedProductResource,
    decision_template_rows,
    decision_template_xlsx,
)
from .forms import (
    CertificateForm,
    DecisionConfirmForm,
    DecisionImportForm,
    EntryFormSet,
    RevokeForm,
    StatusFilter,
)


def status_badge(code):
    """The status as words (never by colour alone), with a class for the admin stylesheet."""
    status = Status(code)
    return format_html('<span class="ocop-status ocop-status--{}">{}</span>', status.value, status.label)


class RevokeActionMixin:
    """The "revoke" action: asks for a date and a reason, then records them instead of deleting."""

    revoke_template = "admin/ocop/revoke.html"

    @admin.action(description=_("Thu hồi (ghi ngày và lý do, không xoá)"), permissions=["change"])
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "apply" in request.POST else None, initial={"revoked_on": validity.today()})
        if form.is_valid():
            try:
                n = services.revoke(
                    queryset,
                    user=request.user,
                    on=form.cleaned_data["revoked_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                skipped = queryset.count() - n
                self.message_user(
                    request,
                    ngettext("Đã thu hồi %(n)s mục.", "Đã thu hồi %(n)s mục.", n) % {"n": n}
                    + (
                        " " + _("%(skipped)s mục đã thu hồi từ trước, giữ nguyên.") % {"skipped": skipped}
                        if skipped
                        else ""
                    ),
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Thu hồi"),
            "opts": self.model._meta,
            "objects": queryset,
            "form": form,
            "media": self.media + form.media,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.revoke_template, context)


class CertifiedProductInline(ProvinceScopedAdminMixin, HardenedAdminMixin, admin.TabularInline):
    model = CertifiedProduct
    formset = EntryFormSet
    extra = 1
    autocomplete_fields = ["product"]
    # Revoking one entry goes through the "revoke" action, or the entry's own page (the change link).
    fields = ["product", "stars", "score", "status", "right_of_use_number", "right_of_use_date"]
    readonly_fields = ["status"]
    show_change_link = True
    verbose_name = _("sản phẩm trong văn bản")
    verbose_name_plural = _("sản phẩm trong văn bản (OCOP: 3, 4 hoặc 5 sao; các loại khác: để trống hạng sao)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product__producer", "certificate")

    @admin.display(description=_("tình trạng"))
    def status(self, entry):
        return status_badge(entry.status) if entry.pk else "—"

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and national_editable(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and national_editable(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and national_editable(request.user, obj)


def national_editable(user, certificate):
    """A national decision (no province) is written by national staff and superusers only."""
    return certificate is None or certificate.province_id is not None or sees_every_province(user)


class RenewalInline(ProvinceScopedAdminMixin, HardenedAdminMixin, admin.TabularInline):
    """Renewals of a certification or collective mark: each sets a new end of protection."""

    model = Renewal
    extra = 0
    fields = ["renewed_on", "valid_until", "decision", "source_url", "notes"]
    verbose_name = _("lần gia hạn (nhãn hiệu)")
    verbose_name_plural = _("các lần gia hạn (chỉ với nhãn hiệu chứng nhận, nhãn hiệu tập thể)")


@admin.register(Certificate)
class CertificateAdmin(
    ProvinceScopedAdminMixin,
    ChangeHistoryAdminMixin,
    HardenedAdminMixin,
    RevokeActionMixin,
    CatalogueExportMixin,
    SimpleHistoryAdmin,
):
    form = CertificateForm
    # The scan is checked by content; a picture is re-encoded without metadata (core.uploads).
    formfield_overrides = FORMFIELD_OVERRIDES
    change_list_template = "admin/certifications/certificate/change_list.html"
    # The count annotation drops the model's default ordering; undated titles (old marks) go last.
    ordering = [F("issued_on").desc(nulls_last=True), "title", "pk"]
    list_display = ["number_display", "title", "status", "expires", "kind", "province", "issued", "entry_count"]
    list_display_links = ["number_display", "title"]
    list_filter = [StatusFilter, "kind", "province", "issued_year"]
    list_select_related = ["province"]
    search_fields = ["title", "number", "holder"]
    search_help_text = _("Tìm theo số (gõ thế nào cũng được: 1032/QĐ-UBND, 1032/qd-ubnd), tên gọi, chủ sở hữu.")
    readonly_fields = ["status", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "level", "number", "title", "product_name", "province", "former_province"]}),
        (
            _("Cấp và hiệu lực"),
            {
                "fields": [
                    "issuer",
                    "decision",
                    "holder",
                    "filed_on",
                    "issued_on",
                    "issued_year",
                    "valid_until",
                    "status",
                ]
            },
        ),
        (_("Thu hồi"), {"fields": ["revoked_on", "revocation_reason"]}),
        (_("Tài liệu"), {"fields": ["document", "source_url", "notes"]}),
        (_("Thời gian"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [CertifiedProductInline, RenewalInline]
    actions = ["revoke"]
    resource_classes = [CertificateResource]

    def get_queryset(self, request):
        queryset = super(ProvinceScopedAdminMixin, self).get_queryset(request)
        if not sees_every_province(request.user):
            queryset = queryset.filter(scope_q(request.user, "province") | services.national_visible_q(request.user))
        return queryset.with_status().annotate(n_entries=Count("entries"))

    def _obj_allowed(self, request, obj):
        if obj is not None and obj.province_id is None and obj.pk is not None:
            return sees_every_province(request.user) or self.get_queryset(request).filter(pk=obj.pk).exists()
        return super()._obj_allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and national_editable(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and national_editable(request.user, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.method == "POST":  # a form that comes back: the confirmation it may ask for
            fieldsets = [*fieldsets, (_("Xác nhận"), {"fields": ["confirm_same_names"]})]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.national_allowed = sees_every_province(request.user)
        return form

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()[:200]
        if not term:
            return queryset, False
        key = normalise_certificate_number(term)
        query = Q(title__icontains=term) | Q(holder__icontains=term) | Q(product_name__icontains=term)
        if key:
            query |= Q(number_key=key) | Q(number_key__startswith=key)
        return queryset.filter(query), False

    @admin.display(description=_("số"), ordering="number_key")
    def number_display(self, certificate):
        return certificate.number or "—"

    @admin.display(description=_("ngày cấp"), ordering=F("issued_on").desc(nulls_last=True))
    def issued(self, certificate):
        if certificate.issued_on:
            return certificate.issued_on.strftime("%d/%m/%Y")
        return certificate.issued_year or "—"

    @admin.display(description=_("hiệu lực đến"), ordering="valid_until")
    def expires(self, certificate):
        if certificate.valid_until:
            return certificate.valid_until.strftime("%d/%m/%Y")
        return _("không thời hạn") if certificate.kind == CertificateKind.GI else "—"

    @admin.display(description=_("tình trạng"), ordering="status_code")
    def status(self, certificate):
        if certificate.pk is None:
            return "—"
        return status_badge(getattr(certificate, "status_code", None) or certificate.status)

    @admin.display(description=_("số sản phẩm"), ordering="n_entries")
    def entry_count(self, certificate):
        return certificate.n_entries

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Left blank, valid_until was filled in by the model from the kind and the date of issue.
        if obj.kind in validity.MARK_KINDS and obj.valid_until is None:
            self.message_user(
                request,
                _("Chưa có ngày nộp đơn hay lần gia hạn: hiệu lực của nhãn hiệu này sẽ hiện là «chưa rõ»."),
                messages.WARNING,
            )
        elif form.cleaned_data.get("valid_until") is None and obj.valid_until is not None:
            self.message_user(
                request,
                _("Hiệu lực đến %(date)s: %(rule)s.")
                % {
                    "date": obj.valid_until.strftime("%d/%m/%Y"),
                    "rule": (
                        _("tự tính %(months)s tháng từ ngày ký")
                        if obj.kind == CertificateKind.OCOP
                        else _("tự tính %(years)s năm từ ngày nộp đơn, hoặc đến hết lần gia hạn sau cùng")
                    )
                    % validity.terms(),
                },
                messages.INFO,
            )


@admin.register(CertifiedProduct)
class CertifiedProductAdmin(
    ProvinceScopedAdminMixin,
    ChangeHistoryAdminMixin,
    HardenedAdminMixin,
    RevokeActionMixin,
    CatalogueImportExportMixin,
    SimpleHistoryAdmin,
):
    list_display = ["product", "status", "stars", "certificate_short", "producer", "revoked_on"]
    list_filter = [StatusFilter, "kind", "stars", "certificate__province"]
    list_select_related = ["product__producer", "certificate__province"]
    search_fields = ["product__name", "product__producer__name", "certificate__number", "certificate__title"]
    autocomplete_fields = ["certificate", "product"]
    readonly_fields = ["kind", "status"]
    fields = [
        "certificate",
        "product",
        "kind",
        "stars",
        "status",
        "revoked_on",
        "revocation_reason",
        "right_of_use_number",
        "right_of_use_date",
        "notes",
    ]
    actions = ["revoke"]
    import_form_class = DecisionImportForm
    confirm_form_class = DecisionConfirmForm

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    def get_import_resource_classes(self, request):
        return [DecisionImportResource]

    def get_export_resource_classes(self, request):
        return [CertifiedProductResource]

    def import_options(self, cleaned_data):
        return {"province": cleaned_data.get("province"), "create_missing": cleaned_data.get("create_missing", False)}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["province"] = import_form.cleaned_data["province"].pk
            initial["create_missing"] = import_form.cleaned_data["create_missing"]
        return initial

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "import_help_template": "admin/certifications/certifiedproduct/import_help.html",
            "template_formats": [(f().get_title(), f().get_extension()) for f in FORMATS],
            "columns": TEMPLATE_HEADERS,
        }

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import-template.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{opts.app_label}_{opts.model_name}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, extension):
        """The decision file template, with example rows, as XLSX or CSV."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats = {f().get_extension(): f for f in FORMATS}
        if extension not in formats:
            return HttpResponse(status=404)
        province = scope_queryset(Province.objects.current(), request.user).first()
        dataset = Dataset(*decision_template_rows(province), headers=TEMPLATE_HEADERS)
        file_format = formats[extension]()
        content = file_format.export_data(dataset)
        if extension == "xlsx":  # a named sheet, notes and drop-down lists
            kinds = [str(label) for _value, label in Producer.Kind.choices]
            categories = list(Category.objects.order_by("name").values_list("name", flat=True))
            content = decision_template_xlsx(decision_template_rows(province), categories, kinds)
        if not file_format.is_binary():
            content = content.encode("utf-8-sig")
        response = HttpResponse(content, content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="mau-quyet-dinh-ocop.{extension}"'
        return response

    @admin.display(description=_("văn bản"), ordering="certificate__number_key")
    def certificate_short(self, entry):
        certificate = entry.certificate
        label = f"{certificate.number} · {certificate.title}" if certificate.number else certificate.title
        return Truncator(label).chars(60)

    @admin.display(description=_("chủ thể"), ordering="product__producer__name")
    def producer(self, entry):
        return entry.product.producer

    @admin.display(description=_("tình trạng"), ordering="status_code")
    def status(self, entry):
        if entry.pk is None:
            return "—"
        return status_badge(getattr(entry, "status_code", None) or entry.status)
