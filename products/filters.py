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
from django.db.models import Count, F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocop_catalogue import cache as catalogue_cache
from ocop_catalogue import validity
from ocop_catalogue.filters import LenientFilterSet
from ocop_catalogue.i18n import localized_name
from producers.models import Producer, Province

from .models import Category, Product, ProductGroup

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

    # --- Facets: every option's count with the other filters held, in one query -----------------

    def conditions(self):
        """{parameter: Q} for every active filter except q, on plain columns of the product row
        (and its producer): the facet query evaluates them for every option, so they must be cheap."""
        conditions = {}
        for name in ("province", "category", "producer_kind"):
            values = self.values(name)
            if values:
                conditions[name] = Q(**{f"{FIELD_PARAMETERS[name]}__in": self.lookup_values(name, values)})
        if self.values("group"):
            conditions["group"] = Q(
                category_id__in=self.category_ids_of_groups(self.lookup_values("group", self.values("group")))
            )
        if self.values("stars"):
            conditions["stars"] = Q(**{f"ocop_until_{int(self.values('stars')[0])}__gte": validity.today()})
        if self.values("cert"):
            conditions["cert"] = Product.objects.certified_q(self.values("cert"))
        return conditions

    def category_ids_of_groups(self, codes):
        group_ids = {group.pk for group in self.groups if group.code in codes}
        return [category.pk for category in self.categories if category.group_id in group_ids]

    def facet_base(self):
        """Published products matching q: the rows the facets count.

        Stars and certificate kinds are read from the product's stored validity copy (columns compared
        with today) and groups through category ids, so counting needs no per-row subquery and no join
        beyond the producer.
        """
        queryset = self.queryset.all()
        if self.values("q"):
            queryset = queryset.search(self.values("q")[0])
        return queryset.order_by()

    def option_conditions(self):
        """(parameter, value, Q selecting that option) for every facet option."""
        today = validity.today()
        for province in self.provinces:
            yield "province", province.slug, Q(producer__province_id=province.pk)
        for group in self.groups:
            yield "group", str(group.code), Q(category_id__in=self.category_ids_of_groups([group.code]) or [0])
        for category in self.categories:
            yield "category", category.slug, Q(category_id=category.pk)
        for n in STAR_LEVELS:
            yield "stars", str(n), Q(**{f"ocop_until_{n}__gte": today})
        for kind, _label in certificate_kinds():
            yield "cert", kind, Product.objects.certified_q([kind])
        for kind, _label in Producer.Kind.choices:
            yield "producer_kind", kind, Q(producer__kind=kind)

    @cached_property
    def counts(self):
        """{"total": n, "relax:<parameter>": n, (parameter, value): n}: one aggregate query, cached
        under the catalogue version (ocop_catalogue/cache.py), so a write is seen at once."""
        key = tuple((name, tuple(sorted(self.values(name)))) for name in ("q", *FACET_PARAMETERS))
        return catalogue_cache.get_or_build("facets", (key, validity.today().isoformat()), self.count_facets)

    def count_facets(self):
        conditions = self.conditions()

        def held(*, without=None):
            parts = [q for name, q in conditions.items() if name != without]
            return Q(*parts) if parts else Q()

        aggregates = {"total": Count("pk", filter=held() or None)}
        for name in conditions:
            aggregates[f"relax__{name}"] = Count("pk", filter=held(without=name) or None)
        keys = {}
        for i, (name, value, condition) in enumerate(self.option_conditions()):
            keys[f"option_{i}"] = (name, value)
            aggregates[f"option_{i}"] = Count("pk", filter=held(without=name) & condition)
        base = self.facet_base()
        if len(conditions) > 1:
            # Every count holds all filters but at most one: rows outside the union of those sets
            # count nowhere, and the indexes behind the filters can skip them.
            base = base.filter(Q(*(held(without=name) for name in conditions), _connector=Q.OR))
        row = base.aggregate(**aggregates)
        counts = {"total": row["total"]}
        for name in conditions:
            counts[f"relax:{name}"] = row[f"relax__{name}"]
        for alias, key in keys.items():
            counts[key] = row[alias]
        return counts

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
