"""The buyer's enquiry form: one form for an enquiry to one producer and for a shortlist's producers."""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.filters import clean_text

from .enquiries import MAX_PRODUCERS, Buyer
from .models import LOCATION_MAX, MESSAGE_MAX, NAME_MAX, ORGANISATION_MAX, PHONE_MAX, QUANTITY_MAX

HONEYPOT = "website"
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
# Control characters other than line breaks and tabs, which a message may hold.
_MESSAGE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


class OneLineField(forms.CharField):
    """Text on one line: control characters and line breaks become single spaces."""

    def to_python(self, value):
        value = super().to_python(value)
        # Not shortened here: the length check reports what was typed (the request's size is capped anyway).
        return clean_text(value, len(value))[0] if value else value


class MessageField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        lines = [" ".join(_MESSAGE_CONTROL.sub(" ", line).split()) for line in value.replace("\r\n", "\n").split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class EnquiryForm(forms.Form):
    required_css_class = "required"

    name = OneLineField(label=_("Họ và tên người liên hệ"), max_length=NAME_MAX)
    organisation = OneLineField(
        label=_("Đơn vị"),
        max_length=ORGANISATION_MAX,
        required=False,
        help_text=_("Cửa hàng, siêu thị, doanh nghiệp xuất khẩu, chương trình xúc tiến thương mại…"),
    )
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = OneLineField(label=_("Điện thoại"), max_length=PHONE_MAX, required=False)
    location = OneLineField(
        label=_("Tỉnh, thành phố hoặc quốc gia"),
        max_length=LOCATION_MAX,
        help_text=_("Nơi bạn cần hàng, ví dụ: Hà Nội, Đà Nẵng, Nhật Bản."),
    )
    products = forms.TypedMultipleChoiceField(
        label=_("Sản phẩm quan tâm"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    quantity = OneLineField(
        label=_("Số lượng dự kiến"),
        max_length=QUANTITY_MAX,
        required=False,
        help_text=_("Ví dụ: 500 hộp mỗi tháng, 2 tấn mỗi vụ."),
    )
    message = MessageField(
        label=_("Nội dung yêu cầu"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý để thông tin trên được gửi tới chủ thể và cán bộ phụ trách OCOP của tỉnh, "
            "và được lưu theo thông báo ở trên."
        )
    )
    # Hidden from people (off screen, out of the tab order, hidden from screen readers); bots fill it in.
    website = forms.CharField(
        label=_("Để trống ô này"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, product_choices=(), require_products=False, producer_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        # {product id: producer id}, to hold one enquiry to MAX_PRODUCERS producers (a shortlist's form).
        self.producer_of = producer_of or {}
        if self.producer_of and "products" in self.fields:
            self.fields["products"].help_text = gettext("Một yêu cầu gửi tới tối đa %(max)s chủ thể.") % {
                "max": MAX_PRODUCERS
            }
        self.fields["products"].choices = list(product_choices)
        self.fields["products"].required = require_products
        if not product_choices:
            del self.fields["products"]
        for name in ("name", "email", "phone", "location"):
            self.fields[name].widget.attrs.setdefault(
                "autocomplete", {"name": "name", "email": "email", "phone": "tel", "location": "address-level1"}[name]
            )
        self.fields["message"].help_text = gettext(
            "Nhu cầu, quy cách đóng gói, thời gian giao hàng, câu hỏi về giá… (tối đa %(n)s ký tự)"
        ) % {"n": MESSAGE_MAX}
        self.fields["email"].widget.attrs.setdefault("spellcheck", "false")
        self.fields["phone"].widget.input_type = "tel"

    @property
    def is_bot(self):
        """The honeypot has something in it: a person never sees that field."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError(
                _("Số điện thoại chỉ gồm chữ số, dấu cách, +, -, dấu chấm và ngoặc (ít nhất 6 chữ số).")
            )
        return phone

    def clean_products(self):
        products = self.cleaned_data.get("products", [])
        reached = {self.producer_of.get(pk, pk) for pk in products} if self.producer_of else set()
        if len(reached) > MAX_PRODUCERS:
            raise forms.ValidationError(
                _("Một yêu cầu gửi tới tối đa %(max)s chủ thể; bạn đã chọn sản phẩm của %(n)s chủ thể. Hãy bỏ bớt.")
                % {"max": MAX_PRODUCERS, "n": len(reached)},
                code="too_many_producers",
            )
        return products

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and "email" not in self.errors:
            raise forms.ValidationError(
                _("Hãy để lại email hoặc số điện thoại để chủ thể liên hệ lại với bạn."), code="no_contact"
            )
        return cleaned

    def buyer(self) -> Buyer:
        data = self.cleaned_data
        return Buyer(
            name=data["name"],
            organisation=data.get("organisation", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            location=data["location"],
            quantity=data.get("quantity", ""),
            message=data["message"],
        )
