"""Forms and filters of the certificate back-office: the entry rules, revocation, decision import."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import validity
from core.admin.hardening import ConstraintCheckingInlineFormSet, https_formfield
from core.admin.imports import ConfirmFileForm, ImportFileForm
from core.admin.scoping import scope_queryset
from core.validity import Status
from producers.models import Province

from ..models import Certificate, CertificateKind, EvaluationLevel

VALID_UNTIL_HELP = validity.with_terms_lazy(
    _(
        "Để trống thì tự tính: quyết định OCOP %(months)s tháng từ ngày ký (không được dài hơn); nhãn hiệu "
        "chứng nhận, nhãn hiệu tập thể %(years)s năm từ ngày nộp đơn, hoặc đến hết lần gia hạn sau cùng (không có "
        "ngày nộp đơn và lần gia hạn nào thì hiệu lực là chưa rõ). Chỉ dẫn địa lý không có thời hạn: để trống."
    )
)


class StatusFilter(admin.SimpleListFilter):
    """Status today by the one rule (core.validity), for certificates and entries alike."""

    title = _("tình trạng hiệu lực")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Status.VALID, _("còn hiệu lực")),
            (Status.UNKNOWN, _("chưa rõ hiệu lực")),
            (Status.SUPERSEDED, _("đã được thay thế")),
            (Status.EXPIRING, _("hết hạn trong %(days)s ngày tới") % validity.terms()),
            (Status.EXPIRED, _("đã hết hạn")),
            (Status.REVOKED, _("đã thu hồi")),
        ]

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.by_status(self.value())
        return queryset


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        formfield_callback = https_formfield
        fields = [
            "kind",
            "level",
            "number",
            "title",
            "product_name",
            "province",
            "former_province",
            "issuer",
            "decision",
            "holder",
            "filed_on",
            "issued_on",
            "issued_year",
            "valid_until",
            "revoked_on",
            "revocation_reason",
            "document",
            "source_url",
            "notes",
        ]
        help_texts = {"valid_until": VALID_UNTIL_HELP}

    # Shown once a decision listing same-named products of different producers comes back (EntryFormSet).
    confirm_same_names = forms.BooleanField(
        required=False,
        label=_("Đúng, văn bản có các sản phẩm cùng tên của những chủ thể khác nhau"),
        help_text=_("Chỉ đánh dấu sau khi đã đối chiếu từng sản phẩm với văn bản gốc."),
    )

    # Set by the admin for the user: only national staff record decisions without a province.
    national_allowed = False

    def clean(self):
        cleaned = super().clean()
        kind, province, number = cleaned.get("kind"), cleaned.get("province"), cleaned.get("number")
        if not province and "province" not in self.errors and not self.national_allowed:
            self.add_error(
                "province", _("Chọn tỉnh, thành phố: chỉ cán bộ cấp trung ương ghi quyết định cấp trung ương.")
            )
        level = cleaned.get("level")
        changed_to_national = level == EvaluationLevel.NATIONAL and self.instance.level != EvaluationLevel.NATIONAL
        if changed_to_national and not self.national_allowed:
            # A province's staff record the province's and its districts' decisions, not the ministry's.
            self.add_error("level", _("Chỉ cán bộ cấp trung ương ghi quyết định cấp trung ương."))
        if kind and number:
            same = Certificate.objects.filter(kind=kind)
            if kind == CertificateKind.OCOP:  # decisions are numbered per issuer; IP titles in the whole country
                same = same.filter(province=province)
            first = same.find_number(number).exclude(pk=self.instance.pk).first()
            if first is not None:
                self.add_error(
                    "number",
                    _("Số %(number)s đã có: «%(existing)s» (ngày cấp %(date)s). Mỗi số chỉ nhập một lần.")
                    % {
                        "number": number,
                        "existing": first.title,
                        "date": first.issued_on.strftime("%d/%m/%Y") if first.issued_on else "—",
                    },
                )
        if self.instance.pk and kind and kind != self.instance.kind and self.instance.entries.exists():
            self.add_error("kind", _("Văn bản đã có sản phẩm; không đổi loại được. Hãy tạo văn bản mới."))
        return cleaned


class EntryFormSet(ConstraintCheckingInlineFormSet):
    """Stars follow the certificate being edited, even before it is saved (3, 4 or 5 for OCOP, none
    otherwise); one entry per product and decision (ConstraintCheckingInlineFormSet)."""

    def clean(self):
        super().clean()
        kind = self.instance.kind
        for form in self.forms:
            if not form.has_changed() or form.cleaned_data.get("DELETE") or "stars" not in form.cleaned_data:
                continue
            stars = form.cleaned_data.get("stars")
            if kind == CertificateKind.OCOP and stars not in validity.STAR_LEVELS:
                form.add_error("stars", _("Sản phẩm OCOP được công nhận phải đạt 3, 4 hoặc 5 sao."))
            elif kind and kind != CertificateKind.OCOP and stars is not None:
                form.add_error("stars", _("Chỉ quyết định OCOP mới có hạng sao; để trống ô này."))
        self.check_same_names()

    def check_same_names(self):
        """Two products of the same name from different producers in one decision: often the wrong one
        was picked; staff confirm it before it is saved."""
        by_name = {}
        for form in self.forms:
            product = getattr(form, "cleaned_data", {}).get("product")
            if product is not None and not form.cleaned_data.get("DELETE"):
                by_name.setdefault(product.name_key, {})[product.producer_id] = product
        same = [products for products in by_name.values() if len(products) > 1]
        if same and not self.data.get("confirm_same_names"):
            listed = "; ".join(", ".join(p.choice_label() for p in products.values()) for products in same)
            raise forms.ValidationError(
                _(
                    "Văn bản liệt kê các sản phẩm cùng tên của những chủ thể khác nhau: %(products)s. "
                    "Kiểm tra lại từng chủ thể; nếu đúng, đánh dấu ô xác nhận ở cuối trang rồi lưu lại."
                )
                % {"products": listed},
                code="same_names",
            )


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("Ngày thu hồi"), widget=admin.widgets.AdminDateWidget)
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=validity.with_terms_lazy(
            _("Ví dụ: số và ngày của quyết định thu hồi, hoặc lý do (không đánh giá lại sau %(months)s tháng).")
        ),
    )

    def clean_revoked_on(self):
        day = self.cleaned_data["revoked_on"]
        if day > validity.today():
            raise forms.ValidationError(_("Ngày thu hồi không được sau hôm nay."))
        return day


def _user_provinces(user):
    return scope_queryset(Province.objects.current(), user)


class DecisionImportForm(ImportFileForm):
    province = forms.ModelChoiceField(
        label=_("Tỉnh, thành phố ban hành"), queryset=Province.objects.none(), empty_label=None
    )
    create_missing = forms.BooleanField(
        label=_("Tạo sản phẩm, chủ thể còn thiếu (trong tỉnh đã chọn)"),
        required=False,
        help_text=_("Không chọn: dòng nào có sản phẩm hoặc chủ thể chưa có trong danh mục sẽ báo lỗi."),
    )
    field_order = ["province", "import_file", "format", "create_missing", "resource"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _user_provinces(self.user)


class DecisionConfirmForm(ConfirmFileForm):
    province = forms.ModelChoiceField(queryset=Province.objects.none(), widget=forms.HiddenInput)
    create_missing = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _user_provinces(self.user)
