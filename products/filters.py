"""The one FilterSet of the product list, its exports and the open-data API (DESIGN.md §6).

    filterset = ProductFilter(request.GET)
    filterset.qs            # published products, filtered and sorted, annotated with current_stars
                            # and current_stars_until, producer/province/category/group selected
    filterset.ignored       # [(label, value)] the visitor sent and the filter did not understand
    filterset.facets()      # option counts that follow the current results (one query)

Parameters: q, province (repeatable), group (repeatable), category (repeatable), stars (3/4/5, the
minimum current OCOP rating), cert (certificate kind, repeatable), producer_kind (repeatable),
sort (name | -stars | newest). `page` is left to the view.
"""

from dataclasses import dataclass, field

import django_filters
from django.apps import apps
from django.db.models import Case, Count, F, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import cache as catalogue_cache
from core import validity
from core.filters import LenientFilterSet
from core.i18n import localized_name
from producers.models import Producer, Province

from .models import IP_KINDS, Category, Product, ProductGroup, search_words

STAR_LEVELS = (3, 4, 5)
SORT_CHOICES = [
    ("name", pgettext_lazy("sort", "Tên A–Z")),
    ("-stars", pgettext_lazy("sort", "Nhiều sao nhất")),
    ("newest", pgettext_lazy("sort", "Mới cập nhật")),
]
# Parameters that are plain field lookups: parameter -> field path on Product (the facets annotate
# the same path as facet_<parameter>).
FIELD_PARAMETERS = {
    "province": "producer__province_id",
    "group": "category__group__code",
    "category": "category_id",
    "producer_kind": "producer__kind",
}
FACET_PARAMETERS = ("province", "group", "category", "stars", "cert", "producer_kind")
# Certificate kinds other than OCOP as bits of the facet cube (OCOP is the star level).
CERT_BITS = tuple((kind, 1 << i) for i, kind in enumerate(IP_KINDS))
CERT_BIT = dict(CERT_BITS)


def certificate_kinds():
    """(value, label) of the certificate kinds, read through the ORM: this app cannot import certifications."""
    return apps.get_model("certifications", "Certificate")._meta.get_field("kind").choices


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)
    multiple: bool = True

    @property
    def selected_count(self):
        return sum(1 for option in self.options if option.selected)


class ProductFilter(LenientFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Từ khóa"))
    province = django_filters.MultipleChoiceFilter(method="filter_field", label=_("Tỉnh, thành phố"))
    group = django_filters.MultipleChoiceFilter(method="filter_field", label=_("Nhóm sản phẩm"))
    category = django_filters.MultipleChoiceFilter(method="filter_field", label=_("Loại sản phẩm"))
    stars = django_filters.ChoiceFilter(method="filter_stars", label=_("Hạng sao OCOP"))
    cert = django_filters.MultipleChoiceFilter(method="filter_cert", label=_("Chứng nhận"))
    producer_kind = django_filters.MultipleChoiceFilter(
        method="filter_field", label=_("Loại chủ thể"), choices=Producer.Kind.choices
    )
    sort = django_filters.ChoiceFilter(method="filter_sort", label=_("Sắp xếp"), choices=SORT_CHOICES)

    class Meta:
        model = Product
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Product.objects.published()
        super().__init__(data, queryset, **kwargs)

    # --- Choices: three small queries, shared by validation, facet labels and chips ---------------

    def load_choices(self):
        provinces = list(Province.objects.select_related("merged_into"))
        self.provinces = [p for p in provinces if p.is_current]
        self.former_provinces = {p.slug: p for p in provinces if not p.is_current}
        self.province_ids = {p.slug: p.pk for p in self.provinces}
        self.categories = list(Category.objects.all())
        self.category_ids = {c.slug: c.pk for c in self.categories}
        self.groups = list(ProductGroup.objects.all())
        self.filters["province"].extra["choices"] = [(p.slug, localized_name(p)) for p in self.provinces]
        self.filters["category"].extra["choices"] = [(c.slug, localized_name(c)) for c in self.categories]
        self.filters["group"].extra["choices"] = [(str(g.code), localized_name(g)) for g in self.groups]
        self.filters["stars"].extra["choices"] = [
            (str(n), _("Từ %(n)s sao trở lên") % {"n": n} if n < 5 else _("5 sao")) for n in STAR_LEVELS
        ]
        self.filters["cert"].extra["choices"] = certificate_kinds()

    def translate_value(self, name, value):
        # A former province's slug (links and bookmarks from before the 2025 merger) means its current unit.
        if name == "province" and value in self.former_provinces:
            return self.former_provinces[value].merged_into.slug
        if name == "group":
            return value.strip()
        return value

    def lookup_values(self, name, values):
        """Parameter values as the database stores them (ids for slugs)."""
        if name == "province":
            return [self.province_ids[v] for v in values]
        if name == "category":
            return [self.category_ids[v] for v in values]
        if name == "group":
            return [int(v) for v in values]
        return list(values)

    # --- Filtering: the results ---------------------------------------------------------------------

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_field(self, queryset, name, value):
        return queryset.filter(**{f"{FIELD_PARAMETERS[name]}__in": self.lookup_values(name, value)})

    def filter_stars(self, queryset, name, value):
        return queryset.with_min_stars(int(value))

    def filter_cert(self, queryset, name, value):
        return queryset.with_certificate_kinds(value)

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, once every filter is in

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return self.order(queryset.with_current_stars().select_related("producer__province", "category__group"))

    @property
    def query_text(self):
        return (self.values("q") or [""])[0]

    @property
    def explicit_sort(self):
        return (self.values("sort") or [""])[0]

    @property
    def sort_order(self):
        values = self.values("sort")
        if values:
            return values[0]
        return "" if self.values("q") else "name"

    def order(self, queryset):
        sort = self.sort_order
        if sort == "-stars":
            return queryset.order_by(F("current_stars").desc(nulls_last=True), "name_key", "pk")
        if sort == "newest":
            return queryset.order_by("-created_at", "-pk")
        if sort == "name" or not self.values("q"):
            # search_text starts with the folded name: a Vietnamese A–Z on every database
            # (a byte order, SQLite's or PostgreSQL's C collation, puts "Đ" and "Â" after "Z").
            return queryset.order_by("name_key", "pk")
        return queryset.order_by_relevance(self.values("q")[0])

    # --- Facets: every option's count with the other filters held ------------------------------
    #
    # One GROUP BY query folds the published products (matching q) into a "cube": one row per
    # combination of province, category, producer kind, current star level and in-force certificate
    # kinds, with its product count (about 12,000 rows at 100,000 synthetic products, a few hundred for
    # a search). The cube is cached under the catalogue version and the day, so it is built once per
    # write and shared by every combination of filters; each page's counts are a single pass over it.

    def facet_base(self):
        """Published products matching q: the rows the facets count."""
        queryset = self.queryset.all()
        if self.values("q"):
            queryset = queryset.search(self.values("q")[0])
        return queryset.order_by()

    def build_cube(self):
        """[(province id, category id, producer kind, star level 0/3/4/5, certificate bits, count)]."""
        today = validity.today()
        level = Case(
            *[When(**{f"ocop_until_{n}__gte": today}, then=Value(n)) for n in sorted(STAR_LEVELS, reverse=True)],
            default=Value(0),
        )
        bits = sum(
            (Case(When(**{f"{kind}_until__gte": today}, then=Value(bit)), default=Value(0)) for kind, bit in CERT_BITS),
            start=Value(0),
        )
        rows = (
            self.facet_base()
            .annotate(facet_level=level, facet_bits=bits)
            .values_list("producer__province_id", "category_id", "producer__kind", "facet_level", "facet_bits")
            .annotate(facet_count=Count("pk"))
            .order_by()
        )
        return [tuple(row) for row in rows]

    def cube(self):
        words = " ".join(search_words(self.query_text))
        return catalogue_cache.get_or_build("facet-cube", (words, validity.today().isoformat()), self.build_cube)

    def row_tests(self):
        """{parameter: what a cube row must hold to pass it} for every active filter but q: a set of
        province or category ids, producer kinds, the minimum star level, or (certificate bit mask, whether
        an OCOP rating counts)."""
        tests = {}
        if self.values("province"):
            tests["province"] = set(self.lookup_values("province", self.values("province")))
        if self.values("category"):
            tests["category"] = set(self.lookup_values("category", self.values("category")))
        if self.values("group"):
            tests["group"] = set(self.category_ids_of_groups(self.lookup_values("group", self.values("group"))))
        if self.values("producer_kind"):
            tests["producer_kind"] = set(self.values("producer_kind"))
        if self.values("stars"):
            tests["stars"] = int(self.values("stars")[0])
        if self.values("cert"):
            wanted = self.values("cert")
            tests["cert"] = (sum(bit for kind, bit in CERT_BITS if kind in wanted), "ocop" in wanted)
        return tests

    def category_ids_of_groups(self, codes):
        group_ids = {group.pk for group in self.groups if group.code in codes}
        return [category.pk for category in self.categories if category.group_id in group_ids]

    @cached_property
    def counts(self):
        """{"total": n, "relax:<parameter>": n, (parameter, value): n}, cached under the catalogue
        version (ocop_catalogue/cache.py), so a write is seen at once."""
        key = tuple((name, tuple(sorted(self.values(name)))) for name in ("q", *FACET_PARAMETERS))
        return catalogue_cache.get_or_build("facets", (key, validity.today().isoformat()), self.count_facets)

    def count_facets(self):
        """Every option's count holds every active filter but its own parameter's: a row failing no
        filter counts for every facet, a row failing exactly one counts only for that one's facet.

        One tight pass over the cube (about 12,000 rows at 100,000 products) tallies by the raw value of
        each dimension (province id, category id, kind, star level, certificate bits); the few hundred
        raw tallies then become the options' counts (a level counts for every star filter up to it, the
        bits for every certificate kind they hold)."""
        tests = self.row_tests()
        provinces = tests.get("province")
        categories = tests.get("category")
        group_categories = tests.get("group")
        kinds = tests.get("producer_kind")
        min_level = tests.get("stars")
        cert_mask, cert_ocop = tests.get("cert", (None, False))
        raw = {name: {} for name in FACET_PARAMETERS}
        by_province, by_group, by_category = raw["province"], raw["group"], raw["category"]
        by_level, by_cert, by_kind = raw["stars"], raw["cert"], raw["producer_kind"]
        relax = dict.fromkeys(tests, 0)
        total = 0
        for province, category, kind, level, bits, n in self.cube():
            failed = None
            if provinces is not None and province not in provinces:
                failed = "province"
            if categories is not None and category not in categories:
                if failed:
                    continue
                failed = "category"
            if group_categories is not None and category not in group_categories:
                if failed:
                    continue
                failed = "group"
            if kinds is not None and kind not in kinds:
                if failed:
                    continue
                failed = "producer_kind"
            if min_level is not None and level < min_level:
                if failed:
                    continue
                failed = "stars"
            if cert_mask is not None and not (bits & cert_mask or (cert_ocop and level >= 3)):
                if failed:
                    continue
                failed = "cert"
            if failed:
                # Counts where only this filter is relaxed: its own facet and "remove this filter".
                relax[failed] += n
                if failed == "province":
                    key = province
                elif failed == "stars":
                    key = level
                elif failed == "cert":
                    key = (level, bits)
                elif failed == "producer_kind":
                    key = kind
                else:  # category, group
                    key = category
                counter = raw[failed]
                counter[key] = counter.get(key, 0) + n
                continue
            total += n
            for name in relax:
                relax[name] += n
            by_province[province] = by_province.get(province, 0) + n
            by_group[category] = by_group.get(category, 0) + n
            by_category[category] = by_category.get(category, 0) + n
            by_level[level] = by_level.get(level, 0) + n
            by_cert[level, bits] = by_cert.get((level, bits), 0) + n
            by_kind[kind] = by_kind.get(kind, 0) + n
        counts = {"total": total}
        for name, n in relax.items():
            counts[f"relax:{name}"] = n
        for (name, value), n in self.option_tallies(raw):
            counts[name, value] = counts.get((name, value), 0) + n
        return counts

    def option_tallies(self, raw):
        """((parameter, option value), n) for each raw tally of count_facets, once per option it counts for."""
        province_slugs = {p.pk: p.slug for p in self.provinces}
        category_slugs = {c.pk: c.slug for c in self.categories}
        group_codes = {g.pk: str(g.code) for g in self.groups}
        group_of = {c.pk: group_codes.get(c.group_id) for c in self.categories}
        cert_kinds = [kind for kind, _label in certificate_kinds()]
        for province, n in raw["province"].items():
            yield ("province", province_slugs.get(province)), n
        for category, n in raw["group"].items():
            yield ("group", group_of.get(category)), n
        for category, n in raw["category"].items():
            yield ("category", category_slugs.get(category)), n
        for level, n in raw["stars"].items():
            for stars in STAR_LEVELS:
                if level >= stars:
                    yield ("stars", str(stars)), n
        for (level, bits), n in raw["cert"].items():
            for kind in cert_kinds:
                if (kind == "ocop" and level >= 3) or bits & CERT_BIT.get(kind, 0):
                    yield ("cert", kind), n
        for kind, n in raw["producer_kind"].items():
            yield ("producer_kind", kind), n

    @property
    def total(self):
        return self.counts["total"]

    def facets(self):
        counts = self.counts
        labels = {name: dict(self.choices_of(name)) for name in FACET_PARAMETERS}
        facets = []
        for name in FACET_PARAMETERS:
            facet = Facet(name=name, label=self.filters[name].label, multiple=name != "stars")
            selected = self.values(name)
            for value, label in labels[name].items():
                count = counts.get((name, value), 0)
                is_selected = value in selected
                # Long lists show only what would give results (and what is ticked).
                if name in ("province", "category") and not count and not is_selected:
                    continue
                url = (
                    self.toggle(name, value)
                    if facet.multiple
                    else self.query_string(stars=None if is_selected else value)
                )
                facet.options.append(FacetOption(value, str(label), count, is_selected, url))
            facets.append(facet)
        return facets

    def sort_links(self):
        """(label, URL, is current) of every sort order; relevance is the default of a search."""
        current = self.sort_order
        links = []
        if self.values("q"):
            links.append((pgettext_lazy("sort", "Phù hợp nhất"), self.query_string(sort=None), current == ""))
        for value, label in SORT_CHOICES:
            default = value == "name" and not self.values("q")
            links.append((label, self.query_string(sort=None if default else value), current == value))
        return links

    def chips(self):
        """The active filters as (parameter label, value label, URL without it)."""
        chips = []
        for name in ("q", *FACET_PARAMETERS):
            labels = dict(self.choices_of(name)) if name != "q" else {}
            for value in self.values(name):
                url = self.query_string(**{name: None}) if name in ("q", "stars") else self.toggle(name, value)
                chips.append((self.filters[name].label, str(labels.get(value, value)), url))
        return chips

    def relaxations(self):
        """For an empty result: each active filter with the count its removal would give."""
        out = []
        for name in FACET_PARAMETERS:
            key = f"relax:{name}"
            if key in self.counts and self.counts[key]:
                out.append((self.filters[name].label, self.counts[key], self.query_string(**{name: None})))
        return out
