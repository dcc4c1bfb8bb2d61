"""A buyer's trade enquiry to one producer, kept apart from the catalogue's own models.

An enquiry is personal data sent by a visitor: it is never shown on a public page, only in the admin
to the staff of the producer's province, and `purge_enquiries` removes it after the retention period.
The model was first created in the products app: its tables keep their names (products_enquiry and
products_enquiry_products), so moving it here changed no table.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Length limits of what a buyer types (the form and the model agree).
NAME_MAX = 100
ORGANISATION_MAX = 200
PHONE_MAX = 30
LOCATION_MAX = 100
QUANTITY_MAX = 200
MESSAGE_MAX = 3000


class EnquiryQuerySet(models.QuerySet):
    def older_than(self, moment):
        return self.filter(created_at__lt=moment)


class Enquiry(models.Model):
    """One message from a buyer to one producer; a shortlist enquiry makes one per producer, sharing a reference."""

    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        FORWARDED = "forwarded", _("Đã chuyển cho chủ thể")
        ANSWERED = "answered", _("Đã trả lời")
        CLOSED = "closed", _("Đã đóng")

    reference = models.CharField(
        _("mã yêu cầu"),
        max_length=16,
        db_index=True,
        editable=False,
        help_text=_("Chung cho các thư gửi cùng lúc tới nhiều chủ thể."),
    )
    producer = models.ForeignKey(
        "producers.Producer", verbose_name=_("chủ thể"), on_delete=models.CASCADE, related_name="enquiries"
    )
    products = models.ManyToManyField(
        "products.Product",
        verbose_name=_("sản phẩm quan tâm"),
        blank=True,
        related_name="enquiries",
        db_table="products_enquiry_products",
    )
    buyer_name = models.CharField(_("người liên hệ"), max_length=NAME_MAX)
    organisation = models.CharField(_("đơn vị"), max_length=ORGANISATION_MAX, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=PHONE_MAX, blank=True)
    location = models.CharField(_("tỉnh, thành phố hoặc quốc gia"), max_length=LOCATION_MAX)
    quantity = models.CharField(_("số lượng dự kiến"), max_length=QUANTITY_MAX, blank=True)
    message = models.TextField(_("nội dung"), max_length=MESSAGE_MAX)
    language = models.CharField(_("ngôn ngữ của người mua"), max_length=8, default="vi", editable=False)
    status = models.CharField(
        _("tình trạng xử lý"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    staff_notes = models.TextField(
        _("ghi chú nội bộ"), blank=True, help_text=_("Chỉ cán bộ quản trị thấy; không gửi cho người mua.")
    )
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        db_table = "products_enquiry"
        verbose_name = _("yêu cầu kết nối thương mại")
        verbose_name_plural = _("yêu cầu kết nối thương mại")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["producer", "status"], name="enquiry_producer_status")]
        constraints = [
            models.CheckConstraint(name="enquiry_email_or_phone", condition=~Q(email="") | ~Q(phone="")),
            models.CheckConstraint(
                name="enquiry_status_known", condition=Q(status__in=["new", "forwarded", "answered", "closed"])
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.organisation or self.buyer_name} → {self.producer}"


class SubmissionWindow(models.Model):
    """How many enquiries one address has sent in its current window (trade/enquiries.py, the rate limit).

    The address is kept only as a keyed hash, and the row only for the length of the window: a row whose
    window has passed is restarted on the next submission, and `purge_enquiries` deletes the old ones.
    """

    key = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lượt gửi yêu cầu theo địa chỉ")
        verbose_name_plural = _("lượt gửi yêu cầu theo địa chỉ")

    def __str__(self):
        return f"{self.key[:12]}… {self.count}"
