"""Certificates (GIs, certification and collective marks, OCOP rating decisions) and the products on them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import validity
from core.links import page_url
from core.text import normalise_certificate_number
from core.uploads import unguessable_name
from core.validity import CertificateKind, Status

__all__ = ["STAR_CHOICES", "Certificate", "CertificateKind", "CertifiedProduct"]


STAR_CHOICES = [(3, _("3 sao")), (4, _("4 sao")), (5, _("5 sao"))]


class EvaluationLevel(models.TextChoices):
    """Who evaluated and ranked an OCOP product: the national council ranks 5★, the province 3–4★
    (and, until 1 July 2025, the district 3★)."""

    NATIONAL = "national", _("cấp trung ương")
    PROVINCIAL = "provincial", _("cấp tỉnh")
    DISTRICT = "district", _("cấp huyện (trước 1/7/2025)")


def certificate_document_path(instance, filename):
    return unguessable_name("certificates", filename)


class CertificateQuerySet(models.QuerySet):
    def with_status(self, day=None):
        return self.annotate(status_code=validity.status_case(day, entry_level=False))

    def in_force(self, day=None):
        return self.filter(validity.in_force_q(day, entry_level=False))

    def by_status(self, status, day=None):
        return self.filter(validity.status_q(status, day, entry_level=False))

    def find_number(self, number):
        key = normalise_certificate_number(number)
        if not key:
            return self.none()
        return self.filter(number_key=key)


class Certificate(models.Model):
    """One issued document: a GI or mark registration certificate, or an OCOP rating decision."""

    kind = models.CharField(_("loại"), max_length=20, choices=CertificateKind.choices, db_index=True)
    number = models.CharField(
        _("số"), max_length=100, blank=True, help_text=_("Như in trên văn bản, ví dụ 00002 hoặc 1032/QĐ-UBND.")
    )
    number_key = models.CharField(max_length=100, editable=False, db_index=True, default="")
    title = models.CharField(
        _("tên gọi"), max_length=255, help_text=_("Dấu hiệu được bảo hộ (ví dụ Mộc Châu) hoặc trích yếu quyết định.")
    )
    product_name = models.CharField(_("sản phẩm mang tên"), max_length=255, blank=True)
    issuer = models.CharField(_("cơ quan cấp"), max_length=255)
    decision = models.CharField(_("quyết định cấp"), max_length=100, blank=True)
    holder = models.CharField(_("chủ sở hữu, tổ chức quản lý"), max_length=255, blank=True)
    level = models.CharField(
        _("cấp đánh giá"),
        max_length=12,
        choices=EvaluationLevel.choices,
        blank=True,
        help_text=_("Với quyết định OCOP: quyết định cấp trung ương (5 sao) không thuộc riêng tỉnh nào."),
    )
    province = models.ForeignKey(
        "producers.Province",
        verbose_name=_("tỉnh, thành phố"),
        on_delete=models.PROTECT,
        related_name="certificates",
        limit_choices_to={"is_current": True},
        null=True,
        blank=True,
        help_text=_("Để trống với quyết định OCOP cấp trung ương."),
    )
    former_province = models.ForeignKey(
        "producers.Province",
        verbose_name=_("tỉnh ghi trên văn bản (trước 1/7/2025)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"is_current": False},
    )
    filed_on = models.DateField(
        _("ngày nộp đơn"),
        null=True,
        blank=True,
        help_text=_(
            "Thời hạn bảo hộ nhãn hiệu tính từ ngày nộp đơn; không có ngày này (và không có lần gia hạn) "
            "thì hiệu lực là chưa rõ."
        ),
    )
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True, db_index=True)
    issued_year = models.PositiveSmallIntegerField(
        _("năm cấp"), null=True, blank=True, help_text=_("Khi nguồn chỉ cho biết năm.")
    )
    valid_until = models.DateField(
        _("hiệu lực đến"), null=True, blank=True, db_index=True, help_text=_("Để trống nếu không có thời hạn.")
    )
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)
    document = models.FileField(_("bản scan"), upload_to=certificate_document_path, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    is_synthetic = models.BooleanField(_("dữ liệu giả lập"), default=False, editable=False, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "number_key"])
    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản chứng nhận")
        verbose_name_plural = _("văn bản chứng nhận")
        ordering = ["-issued_on", "title"]
        indexes = [
            models.Index(fields=["province", "kind"], name="certificate_province_kind"),
            models.Index(fields=["kind", "-issued_on"], name="certificate_kind_issued"),
        ]
        constraints = [
            models.CheckConstraint(
                name="certificate_valid_after_issued",
                condition=Q(valid_until__isnull=True) | Q(issued_on__isnull=True) | Q(valid_until__gte=F("issued_on")),
            ),
            # An OCOP decision's term follows its signing date: both known, or (a source giving only the year)
            # both unknown, and then its status is "unknown".
            models.CheckConstraint(
                name="certificate_ocop_dated",
                condition=~Q(kind=CertificateKind.OCOP)
                | Q(issued_on__isnull=False, valid_until__isnull=False)
                | Q(issued_on__isnull=True, valid_until__isnull=True),
            ),
            models.CheckConstraint(
                name="certificate_gi_no_expiry", condition=~Q(kind=CertificateKind.GI) | Q(valid_until__isnull=True)
            ),
            # IP titles are numbered by the national IP Office: one number per kind in the whole country.
            models.UniqueConstraint(
                fields=["kind", "number_key"],
                condition=~Q(number_key="") & ~Q(kind=CertificateKind.OCOP),
                name="certificate_ip_number_unique",
                violation_error_message=_(
                    "Đã có văn bằng cùng loại với số này (số văn bằng là duy nhất trên cả nước)."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind", "province", "number_key"],
                condition=~Q(number_key="") & Q(kind=CertificateKind.OCOP),
                name="certificate_number_unique",
                violation_error_message=_("Đã có quyết định của tỉnh này với số này."),
            ),
            models.UniqueConstraint(
                fields=["kind", "number_key"],
                condition=~Q(number_key="") & Q(province__isnull=True),
                name="certificate_national_number_unique",
                violation_error_message=_("Đã có quyết định cấp trung ương với số này."),
            ),
            # Only a national OCOP decision has no province.
            models.CheckConstraint(
                name="certificate_province_unless_national",
                condition=Q(province__isnull=False) | Q(kind=CertificateKind.OCOP, level=EvaluationLevel.NATIONAL),
                violation_error_message=_("Chọn tỉnh, thành phố (chỉ quyết định OCOP cấp trung ương mới để trống)."),
            ),
            models.CheckConstraint(
                name="certificate_filed_before_issued",
                condition=Q(filed_on__isnull=True) | Q(issued_on__isnull=True) | Q(filed_on__lte=F("issued_on")),
                violation_error_message=_("Ngày nộp đơn không được sau ngày cấp."),
            ),
        ]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.number} – {self.title}" if self.number else f"{label} – {self.title}"

    def get_absolute_url(self):
        return page_url("certifications:certificate_detail", pk=self.pk)

    # Staff record a decision they hold, so its signing date is required; the demo loader records decisions
    # that a source gives only the year of, whose status is then unknown.
    signing_date_required = True

    def clean(self):
        self.apply_defaults()
        errors = validity.certificate_errors(
            signing_date_required=self.signing_date_required,
            kind=self.kind,
            issued_on=self.issued_on,
            valid_until=self.valid_until,
            filed_on=self.filed_on,
            national=self.level == EvaluationLevel.NATIONAL,
            has_province=self.province_id is not None,
        )
        if errors:
            raise ValidationError(errors)

    def renewal_ends(self):
        if self.pk is None:
            return []
        return list(self.renewals.values_list("valid_until", flat=True))

    def apply_defaults(self):
        """Fill in what a certificate gets when it is not typed: its term (an OCOP decision's from its signing,
        a mark's from its filing date and renewals whenever one is known, none for a GI), the issue year and
        the number's search key. Forms, imports, saves and the synthetic data all come through here."""
        self.number_key = normalise_certificate_number(self.number)
        if self.kind in validity.MARK_KINDS:
            computed = validity.mark_valid_until(self.filed_on, self.renewal_ends())
            if computed is not None:
                self.valid_until = computed
        elif self.valid_until is None and self.kind != CertificateKind.GI:
            self.valid_until = validity.default_valid_until(self.kind, self.issued_on)
        if self.issued_on and not self.issued_year:
            self.issued_year = self.issued_on.year

    def save(self, *args, **kwargs):
        self.apply_defaults()
        super().save(*args, **kwargs)
        # The entries carry a copy of the kind so that a database constraint can check their stars.
        self.entries.exclude(kind=self.kind).update(kind=self.kind)

    def status_on(self, day=None) -> Status:
        return validity.status_on(
            day, valid_until=self.valid_until, certificate_revoked_on=self.revoked_on, kind=self.kind
        )

    @property
    def status(self) -> Status:
        return self.status_on()

    @property
    def is_ocop(self):
        return self.kind == CertificateKind.OCOP


class CertifiedProductQuerySet(models.QuerySet):
    def with_status(self, day=None):
        return self.annotate(status_code=validity.status_case(day))

    def in_force(self, day=None):
        return self.filter(validity.in_force_q(day))

    def by_status(self, status, day=None):
        return self.filter(validity.status_q(status, day))

    def ocop(self):
        return self.filter(kind=CertificateKind.OCOP)


class CertifiedProduct(models.Model):
    """One product listed on a certificate, with its stars (OCOP) or right-of-use (GIs and marks)."""

    # Deleting a certificate never takes its entries with it: revocation is how a title is withdrawn.
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("văn bản"), on_delete=models.PROTECT, related_name="entries"
    )
    product = models.ForeignKey(
        "products.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("loại"), max_length=20, choices=CertificateKind.choices, editable=False)
    stars = models.PositiveSmallIntegerField(_("hạng sao"), choices=STAR_CHOICES, null=True, blank=True)
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)
    score = models.DecimalField(
        _("điểm đánh giá"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Điểm theo Bộ tiêu chí OCOP (0–100), nếu nguồn có."),
    )
    superseded_on = models.DateField(_("được thay thế từ"), null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("được thay thế bởi"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    right_of_use_number = models.CharField(_("số giấy chứng nhận quyền sử dụng"), max_length=100, blank=True)
    right_of_use_date = models.DateField(_("ngày cấp quyền sử dụng"), null=True, blank=True)
    notes = models.CharField(_("ghi chú"), max_length=500, blank=True)

    history = HistoricalRecords()
    objects = CertifiedProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("sản phẩm được chứng nhận")
        verbose_name_plural = _("sản phẩm được chứng nhận")
        ordering = ["certificate", "product__name"]
        indexes = [
            models.Index(fields=["product", "kind", "stars"], name="entry_product_kind_stars"),
            models.Index(fields=["kind", "product"], name="entry_kind_product"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "product"],
                name="entry_unique_per_certificate",
                violation_error_message=_("Sản phẩm này đã có trong văn bản."),
            ),
            models.CheckConstraint(
                name="entry_score_0_100",
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                violation_error_message=_("Điểm đánh giá từ 0 đến 100."),
            ),
            models.CheckConstraint(
                name="entry_stars_match_kind",
                condition=Q(kind=CertificateKind.OCOP, stars__isnull=False, stars__in=validity.STAR_LEVELS)
                | (~Q(kind=CertificateKind.OCOP) & Q(stars__isnull=True)),
                violation_error_message=_("Sản phẩm OCOP phải có 3, 4 hoặc 5 sao; các loại khác không có sao."),
            ),
        ]

    def __str__(self):
        stars = f" ({self.stars}★)" if self.stars else ""
        return f"{self.product} – {self.certificate}{stars}"

    def clean(self):
        if self.certificate_id:
            self.kind = self.certificate.kind
        if self.kind == CertificateKind.OCOP and self.stars not in validity.STAR_LEVELS:
            raise ValidationError({"stars": _("Sản phẩm OCOP được công nhận phải đạt 3, 4 hoặc 5 sao.")})
        if self.kind and self.kind != CertificateKind.OCOP and self.stars is not None:
            raise ValidationError({"stars": _("Chỉ quyết định OCOP mới có hạng sao.")})

    def save(self, *args, **kwargs):
        if self.certificate_id:
            self.kind = self.certificate.kind
        super().save(*args, **kwargs)

    def status_on(self, day=None) -> Status:
        certificate = self.certificate
        return validity.status_on(
            day,
            valid_until=certificate.valid_until,
            revoked_on=self.revoked_on,
            certificate_revoked_on=certificate.revoked_on,
            kind=certificate.kind,
            superseded_on=self.superseded_on,
        )

    @property
    def status(self) -> Status:
        return self.status_on()


class Renewal(models.Model):
    """One renewal of a certification or collective mark: ten more years, each with its own record."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("văn bằng"), on_delete=models.CASCADE, related_name="renewals"
    )
    renewed_on = models.DateField(_("ngày gia hạn"))
    valid_until = models.DateField(_("hiệu lực đến"))
    decision = models.CharField(_("quyết định gia hạn"), max_length=100, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    notes = models.CharField(_("ghi chú"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lần gia hạn")
        verbose_name_plural = _("các lần gia hạn")
        ordering = ["certificate", "renewed_on"]
        constraints = [
            models.CheckConstraint(
                name="renewal_ends_after_renewal",
                condition=Q(valid_until__gt=F("renewed_on")),
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày gia hạn."),
            ),
        ]

    def __str__(self):
        return _("Gia hạn ngày %(day)s, hiệu lực đến %(end)s") % {
            "day": self.renewed_on.strftime("%d/%m/%Y"),
            "end": self.valid_until.strftime("%d/%m/%Y"),
        }

    def clean(self):
        certificate = self.certificate if self.certificate_id else None
        if certificate is not None and certificate.kind not in validity.MARK_KINDS:
            raise ValidationError(_("Chỉ nhãn hiệu chứng nhận và nhãn hiệu tập thể mới được gia hạn."))
        if self.renewed_on and self.renewed_on > validity.today():
            raise ValidationError({"renewed_on": _("Ngày gia hạn không được ở tương lai.")})
