"""Provinces (current and former), OCOP producers, and which provinces a staff member looks after."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.links import page_url
from core.text import fold_vietnamese, slugify_vietnamese, unique_slug
from core.uploads import unguessable_name


class ProvinceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def former(self):
        return self.filter(is_current=False)


class Province(models.Model):
    """A provincial-level unit: one of the 34 since 1 July 2025, or one of the 29 merged into them."""

    class Kind(models.TextChoices):
        CITY = "city", _("Thành phố trực thuộc trung ương")
        PROVINCE = "province", _("Tỉnh")

    name = models.CharField(_("tên"), max_length=100, unique=True)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=100)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.PROVINCE)
    is_current = models.BooleanField(_("đơn vị hiện hành"), default=True, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="former_units",
        limit_choices_to={"is_current": True},
    )
    sort_key = models.CharField(max_length=100, editable=False, db_index=True, default="")
    aliases = models.CharField(
        _("tên gọi khác"),
        max_length=255,
        blank=True,
        help_text=_(
            "Tên cũ hoặc cách viết khác, cách nhau bằng dấu phẩy (ví dụ Thừa Thiên Huế); tìm kiếm hiểu các tên này."
        ),
    )

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["sort_key"]
        constraints = [
            models.CheckConstraint(
                name="province_current_xor_merged",
                condition=Q(is_current=True, merged_into__isnull=True) | Q(is_current=False, merged_into__isnull=False),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = fold_vietnamese(self.name.removeprefix("TP. "))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return page_url("producers:province_detail", slug=self.slug)

    @property
    def current_unit(self):
        return self if self.is_current else self.merged_into

    @property
    def full_name(self):
        """The name as people write it: "Thành phố Hà Nội", "Tỉnh Sơn La"."""
        name = self.name.removeprefix("TP. ")
        return (
            _("Thành phố %(name)s") % {"name": name}
            if self.kind == self.Kind.CITY
            else _("Tỉnh %(name)s") % {"name": name}
        )

    @property
    def full_name_en(self):
        """In English: "Hanoi", "Ho Chi Minh City", "Son La Province"."""
        return self.name_en if self.kind == self.Kind.CITY else f"{self.name_en} Province"

    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]

    def alias_slugs(self):
        return [slugify_vietnamese(alias) for alias in self.alias_list()]


class ReportedFigure(models.Model):
    """Figures a source reports about a province's OCOP programme on a date: what the province says it has,
    shown beside what this catalogue holds (they differ: the catalogue lists only what it can source)."""

    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh, thành phố"), on_delete=models.CASCADE, related_name="reported_figures"
    )
    as_of = models.DateField(_("tính đến ngày"))
    products = models.PositiveIntegerField(_("số sản phẩm OCOP"), null=True, blank=True)
    stars_3 = models.PositiveIntegerField(_("3 sao"), null=True, blank=True)
    stars_4 = models.PositiveIntegerField(_("4 sao"), null=True, blank=True)
    stars_5 = models.PositiveIntegerField(_("5 sao"), null=True, blank=True)
    producers = models.PositiveIntegerField(_("số chủ thể"), null=True, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500)
    notes = models.CharField(_("ghi chú"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("số liệu công bố")
        verbose_name_plural = _("số liệu công bố")
        ordering = ["province", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["province", "as_of", "source_url"], name="reported_figure_unique"),
        ]

    def __str__(self):
        return f"{self.province} – {self.as_of:%d/%m/%Y}"


class TradeProgramme(models.Model):
    """A trade-connection programme between provinces (a memorandum, an agreement), shown on each one's page."""

    title = models.CharField(_("tên chương trình"), max_length=255)
    kind = models.CharField(_("hình thức"), max_length=100, blank=True, help_text=_("Ví dụ: biên bản ghi nhớ."))
    provinces = models.ManyToManyField(Province, verbose_name=_("các tỉnh, thành phố"), related_name="programmes")
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    summary = models.TextField(_("nội dung"), blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500)

    class Meta:
        verbose_name = _("chương trình kết nối giao thương")
        verbose_name_plural = _("chương trình kết nối giao thương")
        ordering = ["-signed_on", "title"]

    def __str__(self):
        return self.title


class ProducerQuerySet(models.QuerySet):
    def for_provinces(self, provinces):
        return self.filter(province__in=provinces)


def producer_logo_path(instance, filename):
    return unguessable_name("producers", filename)


class Producer(models.Model):
    """An OCOP "chủ thể": an enterprise, cooperative, cooperative group or household business."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        COOPERATIVE = "cooperative", _("Hợp tác xã")
        COOPERATIVE_GROUP = "cooperative_group", _("Tổ hợp tác")
        HOUSEHOLD = "household", _("Hộ sản xuất, kinh doanh")

    name = models.CharField(_("tên"), max_length=255)
    slug = models.SlugField(_("đường dẫn"), max_length=255, unique=True, blank=True)
    kind = models.CharField(_("loại chủ thể"), max_length=20, choices=Kind.choices, db_index=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh, thành phố"),
        on_delete=models.PROTECT,
        related_name="producers",
        limit_choices_to={"is_current": True},
    )
    former_province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh cũ (trước 1/7/2025)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"is_current": False},
        help_text=_("Tỉnh trước sáp nhập, nếu giấy tờ còn ghi tên tỉnh cũ."),
    )
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("trang web"), blank=True)
    description = models.TextField(_("giới thiệu"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=producer_logo_path, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    is_synthetic = models.BooleanField(_("dữ liệu giả lập"), default=False, editable=False, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ProducerQuerySet.as_manager()

    class Meta:
        verbose_name = _("chủ thể OCOP")
        verbose_name_plural = _("chủ thể OCOP")
        ordering = ["name"]
        indexes = [models.Index(fields=["province", "kind"], name="producer_province_kind")]
        constraints = [
            models.CheckConstraint(name="producer_slug_not_empty", condition=~Q(slug="")),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Producer, self.name, instance=self, max_length=255, fallback="chu-the")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return page_url("producers:producer_detail", slug=self.slug)


class StaffProvince(models.Model):
    """A staff account's assignment to a province: it scopes everything the account sees in the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="province_assignments",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh, thành phố"),
        on_delete=models.CASCADE,
        related_name="staff_assignments",
        limit_choices_to={"is_current": True},
    )

    class Meta:
        verbose_name = _("phân công tỉnh")
        verbose_name_plural = _("phân công tỉnh")
        ordering = ["province__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["user", "province"], name="staff_province_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.province}"
