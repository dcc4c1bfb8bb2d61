"""The one FilterSet of the product list, its exports and the open-data API.

    filterset = ProductFilter(request.GET)
    filterset.qs            # published products, filtered and sorted, annotated with current_stars
                            # and current_stars_until, producer/province/category/group selected
    filterset.ignored       # [Ignored(label, value, parameter)] sent and not understood (core/filters.py)
    filterset.facets()      # option counts that follow the current results (one query)

Parameters: q, province (repeatable), group (repeatable), category (repeatable), stars (3/4/5, the
minimum current OCOP rating), cert (certificate kind, repeatable), producer_kind (repeatable),
sort (name | -stars | newest). `page` is left to the view.
"""

import django_filters
from django.db.models import F
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import cache as catalogue_cache
from core import validity
from core.filters import LenientFilterSet, ProvinceFilterMixin, RowsByKey
from core.i18n import localized_choices
from core.prepared import PreparedByKeys, PreparedQuery
from core.validity import STAR_LEVELS, CertificateKind
from producers.models import Producer

from . import facets
from .facets import FACET_PARAMETERS, Facet, FacetOption
from .models import Category, Product, ProductGroup, search_words
from .search_index import IndexSearch, published_index

__all__ = ["FACET_PARAMETERS", "SORT_CHOICES", "ProductFilter", "certificate_kinds"]

SORT_CHOICES = [
    ("name", pgettext_lazy("sort", "Tên A–Z")),
    ("-stars", pgettext_lazy("sort", "Nhiều sao nhất")),
    ("newest", pgettext_lazy("sort", "Mới cập nhật")),
]
# Searches of more words than this get no "fewer words" suggestions (one search each).
MAX_FEWER_WORDS = 6
# Words people type for what the catalogue names otherwise (folded, as search compares them): tried, one at a
# time, when a search finds nothing. "Trà" and "chè" both name tea; products are named with one or the other.
OTHER_SPELLINGS = {
    "cafe": "cà phê",
    "caphe": "cà phê",
    "coffee": "cà phê",
    "tra": "chè",
    "che": "trà",
    "tea": "chè",
    "honey": "mật ong",
    "mango": "xoài",
    "rice": "gạo",
}
# Parameters that are plain field lookups: parameter -> field path on Product.
FIELD_PARAMETERS = {
    "province": "producer__province_id",
    "group": "category__group__code",
    "category": "category_id",
    "producer_kind": "producer__kind",
}


def certificate_kinds():
    """(value, label) of the certificate kinds."""
    return CertificateKind.choices


# A page of cards by their keys (the index's lists): the statement prepared once per day and page length.
CARDS_BY_KEY = PreparedByKeys(
    lambda day, keys: Product.objects.published().for_cards(day).filter(pk__in=keys), key=validity.today
)


# The filters' choices, prepared (core/prepared.py): read for every list when the catalogue cache is off.
_CATEGORIES = PreparedQuery(lambda key: Category.objects.all())
_GROUPS = PreparedQuery(lambda key: ProductGroup.objects.all())


class ProductFilter(ProvinceFilterMixin, LenientFilterSet):
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

    def __init__(self, data=None, queryset=None, *, lists_from_index=False, **kwargs):
        # The search index covers the published products: a filter set over another queryset searches
        # in the database only. With `lists_from_index` (the product list page), a list without q is read
        # from the index too: its order and its page's keys without a sort of the filtered rows.
        self.over_published = queryset is None
        self.lists_from_index = lists_from_index
        if queryset is None:
            queryset = Product.objects.published()
        super().__init__(data, queryset, **kwargs)

    # --- Choices: three small queries, shared by validation, facet labels and chips ---------------

    province_path = "producer__province"

    def load_choices(self):
        self.load_provinces()
        self.province_ids = {p.slug: p.pk for p in self.provinces}
        self.categories, self.groups = catalogue_cache.kept_in_process(
            "choices:categories", lambda: (_CATEGORIES(), _GROUPS())
        )
        self.category_ids = {c.slug: c.pk for c in self.categories}
        self.filters["category"].extra["choices"] = localized_choices(self.categories, key=lambda c: c.slug)
        self.filters["group"].extra["choices"] = localized_choices(self.groups, key=lambda g: str(g.code))
        self.filters["stars"].extra["choices"] = [
            (str(n), _("Từ %(n)s sao trở lên") % {"n": n} if n < 5 else _("5 sao")) for n in STAR_LEVELS
        ]
        self.filters["cert"].extra["choices"] = certificate_kinds()

    def translate_value(self, name, value):
        if name == "group":
            return value.strip()
        return super().translate_value(name, value)  # a former province's slug means its current unit

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

    # --- Facets: every option's count with the other filters held (products/facets.py) -----------

    def facet_base(self):
        """Published products matching q: the rows the facets count."""
        queryset = self.queryset.all()
        if self.values("q"):
            queryset = queryset.search(self.values("q")[0])
        return queryset.order_by()

    def cube(self):
        return self._cube

    @cached_property
    def _cube(self):
        # Read once per filter set: the counts and the home page's map share it.
        if self.index_search is not None:
            return self.index_search.cube
        return facets.cached_cube(self.facet_base(), " ".join(search_words(self.query_text)))

    @cached_property
    def index_search(self):
        """A search of the published products over the search index (products/search_index.py), or None
        without q unless `lists_from_index` (or while the index is first built): its matches give the
        facet counts and the results' order without a scan of every text."""
        if not self.over_published or not (self.values("q") or self.lists_from_index):
            return None
        index = published_index()
        return IndexSearch(index, search_words(self.query_text)) if index is not None else None

    def indexed_results(self):
        """The results of a search (or with `lists_from_index` of any list) as a list to paginate: their keys
        in order from the index, each page's cards then read by key. None when the index does not answer
        (the list is then filterset.qs)."""
        if self.index_search is None:
            return None
        keys = self.index_search.results(self.row_tests(), self.sort_order)
        return RowsByKey(keys, CARDS_BY_KEY)

    def rated_by_province(self):
        """{province slug: products with an OCOP rating in force}, from the cube."""
        return facets.rated_by_province(self.cube(), {p.pk: p.slug for p in self.provinces})

    def row_tests(self):
        """The tests of every active filter but q, in the cube's raw values (see products/facets.py)."""
        tests = {}
        for name in ("province", "category", "producer_kind"):
            if self.values(name):
                tests[name] = set(self.lookup_values(name, self.values(name)))
        if self.values("group"):
            tests["group"] = set(self.category_ids_of_groups(self.lookup_values("group", self.values("group"))))
        if self.values("stars"):
            tests["stars"] = int(self.values("stars")[0])
        if self.values("cert"):
            tests["cert"] = facets.cert_test(self.values("cert"))
        return tests

    def category_ids_of_groups(self, codes):
        group_ids = {group.pk for group in self.groups if group.code in codes}
        return [category.pk for category in self.categories if category.group_id in group_ids]

    def option_values(self):
        group_codes = {g.pk: str(g.code) for g in self.groups}
        return facets.OptionValues(
            province_slugs={p.pk: p.slug for p in self.provinces},
            category_slugs={c.pk: c.slug for c in self.categories},
            group_of={c.pk: group_codes.get(c.group_id) for c in self.categories},
            cert_kinds=[kind for kind, _label in certificate_kinds()],
        )

    @cached_property
    def counts(self):
        """{"total": n, "relax:<parameter>": n, (parameter, value): n}, cached like the cube they count:
        over the whole catalogue, so for CATALOGUE_NATIONAL_SECONDS (one cube per province instead would
        cost a GROUP BY over every product after each write in each province). Counted over the
        search index's cube they are not cached: tallying the index's rows (under a millisecond) costs
        less than the shared cache's round trips (a read, a build lock, a write: six on a miss)."""
        if self.index_search is not None:
            return self.count_facets()
        key = tuple((name, tuple(sorted(self.values(name)))) for name in ("q", *FACET_PARAMETERS))
        return catalogue_cache.get_or_build("facets", (key, validity.today().isoformat()), self.count_facets)

    def count_facets(self):
        return facets.count_facets(self.cube(), self.row_tests(), self.option_values())

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
                # No link per option: the panel is a form of checkboxes (80 query strings a page saved).
                facet.options.append(FacetOption(value, str(label), count, is_selected))
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

    def _searches_that_find(self, texts):
        """(text, count, url) of each search text that finds something under the other filters, once each,
        in order; counted from the search index (cheap: each word's matches are known)."""
        search, tests, out = self.index_search, self.row_tests(), []
        for text in texts:
            words = search_words(text)
            count = len(IndexSearch(search.index, words).results(tests, "name")) if words else 0
            if count and all(text != seen for seen, _count, _url in out):
                out.append((text, count, self.query_string(q=text)))
        return out

    def fewer_words(self):
        """For a search of several words that together match nothing: the same search with one word
        left out, with its count under the other filters, for each that finds something. From the search
        index; empty without it."""
        typed = self.query_text.split()
        if self.index_search is None or not 1 < len(typed) <= MAX_FEWER_WORDS:
            return []
        return self._searches_that_find(" ".join(typed[:i] + typed[i + 1 :]) for i in range(len(typed)))

    def other_spellings(self):
        """For a search that matches nothing: the same search with one word written as the catalogue writes
        it ("cafe" as "cà phê", "trà" as "chè"), with its count under the other filters, for each that finds
        something. From the search index; empty without it."""
        typed = self.query_text.split()
        if self.index_search is None or len(typed) > MAX_FEWER_WORDS:
            return []
        others = ((i, OTHER_SPELLINGS.get(" ".join(search_words(word)))) for i, word in enumerate(typed))
        return self._searches_that_find(
            " ".join(typed[:i] + [other] + typed[i + 1 :]) for i, other in others if other is not None
        )

    def every_word_found(self):
        """Whether each word searched for matches some published product on its own (none is a typo);
        False without the index."""
        search = self.index_search
        return search is not None and all(len(search.occurrences(word)[0]) for word in search.words)

    def relaxations(self):
        """For an empty result: each active filter with the count its removal would give."""
        out = []
        for name in FACET_PARAMETERS:
            key = f"relax:{name}"
            if key in self.counts and self.counts[key]:
                out.append((self.filters[name].label, self.counts[key], self.query_string(**{name: None})))
        return out
