"""Back-office for buyers' trade enquiries: the staff of the producer's province see them, follow them up
(status, internal notes) and may delete them; what the buyer wrote is read-only. Scoped like every
catalogue admin (core.admin.scoping: "trade.enquiry" reaches its province through the producer).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin.hardening import HardenedAdminMixin
from core.admin.history import ChangeHistoryAdminMixin
from core.admin.scoping import ProvinceScopedAdminMixin

from .models import Enquiry

BUYER_FIELDS = ["buyer_name", "organisation", "email_link", "phone_link", "location"]
REQUEST_FIELDS = ["reference", "producer", "product_links", "quantity", "message", "language_name", "created_at"]


@admin.register(Enquiry)
class EnquiryAdmin(ProvinceScopedAdminMixin, ChangeHistoryAdminMixin, HardenedAdminMixin, admin.ModelAdmin):
    list_display = ["sent", "reference", "buyer", "producer", "province", "status"]
    list_display_links = ["sent", "reference"]
    list_filter = ["status", "producer__province", "created_at"]
    list_select_related = ["producer__province"]
    search_fields = ["reference", "buyer_name", "organisation", "email", "phone", "producer__name", "message"]
    date_hierarchy = "created_at"
    readonly_fields = [*BUYER_FIELDS, *REQUEST_FIELDS, "updated_at"]
    fieldsets = [
        (_("Theo dõi"), {"fields": ["status", "staff_notes", "updated_at"]}),
        (_("Người mua"), {"fields": BUYER_FIELDS}),
        (_("Yêu cầu"), {"fields": REQUEST_FIELDS}),
    ]
    actions = ["mark_forwarded", "mark_answered", "mark_closed"]

    def has_add_permission(self, request):
        return False  # enquiries come from buyers, through the public form

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("products")

    @admin.display(description=_("gửi lúc"), ordering="created_at")
    def sent(self, enquiry):
        return timezone.localtime(enquiry.created_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("người mua"), ordering="buyer_name")
    def buyer(self, enquiry):
        return f"{enquiry.buyer_name} ({enquiry.organisation})" if enquiry.organisation else enquiry.buyer_name

    @admin.display(description=_("tỉnh, thành phố"), ordering="producer__province__sort_key")
    def province(self, enquiry):
        return enquiry.producer.province

    @admin.display(description=_("sản phẩm quan tâm"))
    def product_links(self, enquiry):
        products = list(enquiry.products.all())
        if not products:
            return self.get_empty_value_display()
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:products_product_change", args=[p.pk]), p.name) for p in products),
        )

    @admin.display(description=_("email"))
    def email_link(self, enquiry):
        return (
            format_html('<a href="mailto:{}">{}</a>', enquiry.email, enquiry.email)
            if enquiry.email
            else self.get_empty_value_display()
        )

    @admin.display(description=_("điện thoại"))
    def phone_link(self, enquiry):
        if not enquiry.phone:
            return self.get_empty_value_display()
        return format_html(
            '<a href="tel:{}">{}</a>', "".join(c for c in enquiry.phone if c in "+0123456789"), enquiry.phone
        )

    @admin.display(description=_("ngôn ngữ của người mua"))
    def language_name(self, enquiry):
        return dict(settings.LANGUAGES).get(enquiry.language, enquiry.language)

    def _set_status(self, request, queryset, status):
        # One save per enquiry, so that the admin's log records who moved which enquiry.
        changed = 0
        for enquiry in queryset.exclude(status=status):
            enquiry.status = status
            enquiry.save(update_fields=["status", "updated_at"])
            self.log_change(request, enquiry, [{"changed": {"fields": ["status"]}}])
            changed += 1
        self.message_user(
            request,
            ngettext("Đã cập nhật %(n)s yêu cầu.", "Đã cập nhật %(n)s yêu cầu.", changed) % {"n": changed},
        )

    @admin.action(description=_("Đánh dấu: đã chuyển cho chủ thể"), permissions=["change"])
    def mark_forwarded(self, request, queryset):
        self._set_status(request, queryset, Enquiry.Status.FORWARDED)

    @admin.action(description=_("Đánh dấu: đã trả lời"), permissions=["change"])
    def mark_answered(self, request, queryset):
        self._set_status(request, queryset, Enquiry.Status.ANSWERED)

    @admin.action(description=_("Đánh dấu: đã đóng"), permissions=["change"])
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, Enquiry.Status.CLOSED)
