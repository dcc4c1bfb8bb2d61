"""OCOP product groups, categories, products and their photos.

A product's certificates live in the certifications app, which this app never imports: it reaches
them through the ORM by the reverse name `entries` (CertifiedProduct.product). The certifications app
keeps the derived fields (search_text, name_key, the validity copies) current: certifications/copies.py.
"""

import logging

from django.db import OperationalError, connection, connections, models, transaction
from django.db.models import Case, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import validity
from core.links import page_url
from core.text import fold_vietnamese, unique_slug
from core.uploads import unguessable_name
from core.validity import STAR_LEVELS, CertificateKind


class ProductGroup(models.Model):
    """One of the 6 OCOP product groups of Decisions 919/QĐ-TTg and 148/QĐ-TTg."""

    code = models.PositiveSmallIntegerField(_("mã nhóm"), unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200)
    description = models.CharField(_("phạm vi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nhóm sản phẩm OCOP")
        verbose_name_plural = _("nhóm sản phẩm OCOP")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="group_code_1_to_6", condition=Q(code__gte=1, code__lte=6)),
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"


class Category(models.Model):
    """A kind of product within a group (tea, coffee, mango, honey…), editable by staff."""

    name = models.CharField(_("tên"), max_length=100, unique=True)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=100, blank=True)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True, blank=True)
    group = models.ForeignKey(ProductGroup, verbose_name=_("nhóm"), on_delete=models.PROTECT, related_name="categories")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loại sản phẩm")
        verbose_name_plural = _("loại sản phẩm")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Category, self.name, instance=self, max_length=100, fallback="loai")
        super().save(*args, **kwargs)


# Certificate kinds other than OCOP, each with a stored "last day in force" on Product.
IP_KINDS = tuple(kind.value for kind in CertificateKind if kind != CertificateKind.OCOP)
# The stored validity copies on Product (certifications/copies.py computes them).
COPY_FIELDS = (*(f"ocop_until_{n}" for n in STAR_LEVELS), *(f"{kind}_until" for kind in IP_KINDS))
logger = logging.getLogger(__name__)

# Every field derived from the product and its certificates, never typed: see certifications/copies.py.
DERIVED_FIELDS = ("search_text", "name_key", *COPY_FIELDS)

# More words than this in a query add nothing but cost.
MAX_SEARCH_WORDS = 10
# A near miss shares at least half of the query's trigrams with a word run of the name (pg_trgm's
# word similarity ≥ 0.5).
SIMILAR_MAX_DISTANCE = 0.5
# The nearest-name scan is cut off after this long: at 1,000,000 products it can take half a second, and a
# page without near misses is better than a slow one.
SIMILAR_TIMEOUT_MS = 150


def search_words(query) -> list[str]:
    """The folded words of a search query, as they are matched against `search_text`."""
    return fold_vietnamese(query).split()[:MAX_SEARCH_WORDS]


def product_image_path(instance, filename):
    return unguessable_name("products", filename)


def in_force_entries(day=None, **conditions):
    """Certificate entries of the outer product that are in force on `day` (the status rule of core.validity)."""
    entry_model = Product._meta.get_field("entries").related_model  # through the ORM: this app cannot import it
    return entry_model.objects.filter(validity.in_force_q(day), product=OuterRef("pk"), **conditions)


# The columns a product card reads (ocop_catalogue/cards.py, its picture and its shortlist button):
# reading only these keeps the cards' query, and turning its rows into objects, small.
CARD_FIELDS = ("slug", "name", "image", "image_width", "image_height", "producer", "category")
# The names a card shows from the product's producer, province, category and group, read as columns of the
# card's own row (`product.card_producer`, …): one object a card, not five (select_related made an instance
# of each, ~1.5 ms of a 24-card page).
CARD_NAMES = {
    "card_producer": "producer__name",
    "card_province": "producer__province__name",
    "card_province_en": "producer__province__name_en",
    "card_category": "category__name",
    "card_category_en": "category__name_en",
    "card_category_slug": "category__slug",
    "card_group": "category__group__code",
}


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_cards(self, day=None):
        """What a product card shows, in one query: current stars, the names of its producer, province,
        category and group (CARD_NAMES), GI and mark badges."""
        day = day or validity.today()
        return (
            self.with_current_stars(day)
            .select_related(None)  # a filtered list's queryset joins whole rows: a card wants only the names
            .only(*CARD_FIELDS)
            .annotate(**{name: F(path) for name, path in CARD_NAMES.items()})
            .annotate(
                has_gi=ExpressionWrapper(
                    self.certified_q([CertificateKind.GI], day), output_field=models.BooleanField()
                ),
                has_mark=ExpressionWrapper(
                    self.certified_q(validity.MARK_KINDS, day), output_field=models.BooleanField()
                ),
            )
        )

    def with_current_stars(self, day=None):
        """Annotate `current_stars` (3, 4, 5 or None) and `current_stars_until` on `day`.

        Read from the stored copy `ocop_until_<n>`: the last day on which the product holds an in-force
        OCOP entry of at least n stars. Comparing it with the day makes expiry take effect on its day
        with no job to run.
        """
        day = day or validity.today()
        levels = sorted(STAR_LEVELS, reverse=True)
        return self.annotate(
            current_stars=Case(
                *[When(**{f"ocop_until_{n}__gte": day}, then=Value(n)) for n in levels],
                default=None,
                output_field=models.PositiveSmallIntegerField(),
            ),
            current_stars_until=Case(
                *[When(**{f"ocop_until_{n}__gte": day}, then=F(f"ocop_until_{n}")) for n in levels],
                default=None,
                output_field=models.DateField(),
            ),
        )

    def with_min_stars(self, stars, day=None):
        """Products whose current OCOP rating on `day` is at least `stars` (3, 4 or 5)."""
        if stars not in STAR_LEVELS:
            raise ValueError(f"stars must be one of {STAR_LEVELS}")
        return self.filter(**{f"ocop_until_{stars}__gte": day or validity.today()})

    def certified_q(self, kinds, day=None):
        """Q for products with an in-force entry of any of `kinds` on `day` (from the stored copy)."""
        day = day or validity.today()
        fields = {CertificateKind.OCOP: "ocop_until_3", **{kind: f"{kind}_until" for kind in IP_KINDS}}
        return Q(*(Q(**{f"{fields[kind]}__gte": day}) for kind in kinds if kind in fields), _connector=Q.OR)

    def with_certificate_kinds(self, kinds, day=None):
        """Products holding an in-force certificate of any of `kinds` (gi, marks, ocop)."""
        kinds = [kind for kind in kinds if kind in (CertificateKind.OCOP, *IP_KINDS)]
        return self.filter(self.certified_q(kinds, day)) if kinds else self.none()

    def search(self, query):
        """Products whose folded search text holds every folded word of `query`."""
        qs = self
        for word in search_words(query):
            qs = qs.filter(search_text__contains=word)
        return qs

    def order_by_relevance(self, query):
        """Best matches of `query` first, the same order on every database.

        Tiers: the name starts with the query; every word is in the name; the words are elsewhere
        (category, producer, province, certificate titles). `search_text` begins with the folded
        name, so a word whose first occurrence lies within the name's length is a word of the name.
        Within a tier: the earliest first word, then the shortest name (the query is more of it), A–Z.
        Plain string functions only: a trigram similarity for every match cost four times as much
        (~190 of 245 ms for a word in all 100,000 names) for an order these keys nearly repeat.
        """
        words = search_words(query)
        if not words:
            return self.order_by("name_key", "pk")
        phrase = " ".join(words)
        in_name = Q(*(LessThanOrEqual(StrIndex("search_text", Value(word)), Length("name")) for word in words))
        tier = Case(
            When(search_text__startswith=phrase, then=Value(0)),
            When(in_name, then=Value(1)),
            default=Value(2),
            output_field=models.IntegerField(),
        )
        qs = self.annotate(search_tier=tier, search_position=StrIndex("search_text", Value(words[0])))
        return qs.order_by("search_tier", "search_position", Length("name_key"), "name_key", "pk")

    def nearest(self, phrase, limit):
        """PostgreSQL: the `limit` products whose names are nearest to `phrase` (trigram word distance,
        annotated `search_distance`), in the order of the GiST index on name_key."""
        from django.contrib.postgres.search import TrigramWordDistance

        return self.annotate(search_distance=TrigramWordDistance(phrase, "name_key")).order_by("search_distance")[
            :limit
        ]

    def similar(self, query, limit=6):
        """Near misses for a query that found nothing: on PostgreSQL the names nearest to it by trigram
        word distance (typos), read in that order from the GiST index on name_key and kept when at
        least half alike; elsewhere the products holding the most of its words."""
        words = search_words(query)
        if not words:
            return []
        phrase = " ".join(words)
        if connection.vendor == "postgresql":
            db = self.db  # one database for the timeout and the scan (the router could pick another)
            try:
                with transaction.atomic(using=db):
                    with connections[db].cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout = %s", [SIMILAR_TIMEOUT_MS])
                    found = list(self.using(db).nearest(phrase, limit))
                    with connections[db].cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
            except OperationalError:  # cancelled by the timeout: no near misses this time
                logger.info("Near misses of %r not found within %s ms", phrase, SIMILAR_TIMEOUT_MS)
                return []
            return [product for product in found if product.search_distance <= SIMILAR_MAX_DISTANCE]
        hits = sum(
            (Case(When(search_text__contains=word, then=Value(1)), default=Value(0)) for word in words),
            Value(0),
        )
        return list(
            self.annotate(search_hits=hits).filter(search_hits__gt=0).order_by("-search_hits", "search_text")[:limit]
        )


class Product(models.Model):
    name = models.CharField(_("tên sản phẩm"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    slug = models.SlugField(_("đường dẫn"), max_length=255, unique=True, blank=True)
    producer = models.ForeignKey(
        "producers.Producer", verbose_name=_("chủ thể"), on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("loại sản phẩm"), on_delete=models.PROTECT, related_name="products"
    )
    description = models.TextField(_("mô tả"), blank=True)
    image = models.ImageField(
        _("ảnh chính"), upload_to=product_image_path, blank=True, width_field="image_width", height_field="image_height"
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    is_published = models.BooleanField(_("công khai"), default=True)
    is_synthetic = models.BooleanField(_("dữ liệu giả lập"), default=False, editable=False, db_index=True)
    search_text = models.TextField(_("văn bản tìm kiếm"), editable=False, default="")
    # The folded name: a Vietnamese A–Z order from an index (byte order puts "Đ" and "Â" after "Z").
    name_key = models.CharField(max_length=255, editable=False, default="")
    # Stored copy of the certificates' validity for speed: ocop_until_<n> is the last day
    # on which an in-force OCOP entry of at least n stars covers the product, <kind>_until the same for
    # GIs and marks. Every query compares them with the day, so an expiry takes effect on its day with
    # no job to run; every write to entries and certificates refreshes them (certifications/copies.py).
    ocop_until_3 = models.DateField(null=True, editable=False)
    ocop_until_4 = models.DateField(null=True, editable=False)
    ocop_until_5 = models.DateField(null=True, editable=False)
    gi_until = models.DateField(null=True, editable=False)
    certification_mark_until = models.DateField(null=True, editable=False)
    collective_mark_until = models.DateField(null=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])
    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("sản phẩm")
        verbose_name_plural = _("sản phẩm")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_published", "name"], name="product_published_name"),
            models.Index(fields=["is_published", "-created_at"], name="product_published_newest"),
            models.Index(fields=["category", "is_published"], name="product_category_published"),
            models.Index(fields=["producer", "is_published"], name="product_producer_published"),
            models.Index(fields=["name_key", "id"], name="product_name_key"),
            models.Index(fields=["category", "name_key", "id"], name="product_category_name_key"),
            models.Index(fields=["ocop_until_3"], name="product_ocop_until_3"),
            models.Index(fields=["ocop_until_4"], name="product_ocop_until_4"),
            models.Index(fields=["ocop_until_5"], name="product_ocop_until_5"),
            # The home page's five-star cards: published products newest-updated first, read from the index
            # alone until eight are five-star today (~700 index entries, no sort of every five-star row).
            models.Index(
                fields=["-updated_at", "id", "ocop_until_5"],
                condition=Q(is_published=True),
                name="product_published_updated",
            ),
            models.Index(fields=["gi_until"], name="product_gi_until"),
            models.Index(fields=["certification_mark_until"], name="product_cert_mark_until"),
            models.Index(fields=["collective_mark_until"], name="product_coll_mark_until"),
        ]
        constraints = [
            models.CheckConstraint(name="product_slug_not_empty", condition=~Q(slug="")),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Product, self.name, instance=self, max_length=255, fallback="san-pham")
        # The derived fields are recomputed on every save (a pre_save receiver of the certifications
        # app, which sees the certificates), so they are written whatever else is.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return page_url("products:product_detail", slug=self.slug)

    # What the back-office's pickers read them with (select_related for the lists).
    CHOICE_RELATED = ("producer__province",)

    def choice_label(self):
        """ "Chè Shan tuyết Mộc Châu — HTX Chè Tà Xùa (Sơn La)": same-named products told apart."""
        return f"{self.name} — {self.producer.name} ({self.producer.province.name})"

    @property
    def current_rating(self):
        """The in-force OCOP entry with the most stars, or None."""
        return (
            self.entries.filter(validity.in_force_q(), kind=CertificateKind.OCOP, stars__isnull=False)
            .select_related("certificate")
            .order_by("-stars", "-certificate__valid_until")
            .first()
        )


class ProductImage(models.Model):
    product = models.ForeignKey(Product, verbose_name=_("sản phẩm"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("ảnh"), upload_to=product_image_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("mô tả ảnh"), max_length=255, blank=True, help_text=_("Cho người dùng trình đọc màn hình.")
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("ảnh sản phẩm")
        verbose_name_plural = _("ảnh sản phẩm")
        ordering = ["product", "position", "pk"]

    def __str__(self):
        return self.alt_text or f"{self.product} #{self.position}"
