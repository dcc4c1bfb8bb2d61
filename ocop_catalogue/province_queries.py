"""The province page's queries, built and compiled once per day and database (core/prepared.py): the same
statements on every page, with the province's slug or id as their parameter.

Building the querysets and their SQL on each request was about a third of the page's CPU
(`scripts/profile_pages.py --pages province`: ~19 -> ~12.5 ms). Each statement is the queryset the page built
before; tests/site/test_province_page_cpu.py compares their rows and the page with the plain querysets'.
"""

from types import SimpleNamespace

from django.db.models import Count, F, Q

from certifications.models import Certificate
from core import validity
from core.prepared import PreparedByKeys, PreparedQuery
from core.validity import STAR_LEVELS, CertificateKind
from producers.models import Province, ReportedFigure, TradeProgramme
from products.models import Product

PROVINCE_TOP_PRODUCTS = 8
PROVINCE_CERTIFICATES = 60
REPORTED_FIGURES = 6
# The figures list the best rating first.
STARS_DESCENDING = tuple(sorted(STAR_LEVELS, reverse=True))
_GROUP = ("category__group__code", "category__group__name", "category__group__name_en")
_PROVINCE_ID = -7_000_000_101  # a placeholder no province has


def figures_query(day, province):
    """Counts of the province's published products by current stars and by group, in one query."""
    # Current stars from the products' stored validity copy: plain columns, no subquery per product.
    stars = {f"stars_{n}": Count("pk", filter=Q(current_stars=n)) for n in STARS_DESCENDING}
    return (
        Product.objects.published()
        .filter(producer__province=province)
        .with_current_stars(day)
        .order_by()
        .values(*_GROUP)
        .annotate(total=Count("pk"), **stars)
        .order_by("category__group__code")
    )


def products_query(day, province):
    """The province's best-rated products, as cards."""
    return (
        Product.objects.published()
        .filter(producer__province=province)
        .for_cards(day)
        .order_by(F("current_stars").desc(nulls_last=True), "search_text")[:PROVINCE_TOP_PRODUCTS]
    )


def titles_query(day, province):
    """The province's GIs and marks (its OCOP decisions are counted in the figures instead)."""
    # The plain str: a parameter of an enum type could not be typed for the server's PREPARE.
    return (
        Certificate.objects.filter(province=province)
        .exclude(kind=CertificateKind.OCOP.value)
        .with_status(day)
        .select_related("former_province")
        .order_by("kind", "title")[:PROVINCE_CERTIFICATES]
    )


_BY_SLUG = PreparedQuery(
    lambda day, slug: Province.objects.select_related("merged_into").filter(slug=slug)[:1], slug="\x00province\x00"
)
_FIGURES = PreparedQuery(figures_query, key=validity.today, province=_PROVINCE_ID)
_PRODUCTS = PreparedQuery(products_query, key=validity.today, province=_PROVINCE_ID)
_TITLES = PreparedQuery(titles_query, key=validity.today, province=_PROVINCE_ID)
_FORMER = PreparedQuery(lambda day, province: Province.objects.filter(merged_into=province), province=_PROVINCE_ID)
_REPORTED = PreparedQuery(
    lambda day, province: ReportedFigure.objects.filter(province=province).order_by("-as_of")[:REPORTED_FIGURES],
    province=_PROVINCE_ID,
)
_PROGRAMMES = PreparedQuery(
    lambda day, province: TradeProgramme.objects.filter(provinces__id=province), province=_PROVINCE_ID
)
# The provinces of a few programmes, by the programmes' keys: what prefetching `provinces` read, in the
# order of Province's Meta.ordering (the id only breaks ties).
_MEMBERS = PreparedByKeys(
    lambda day, keys: (
        TradeProgramme.provinces.through.objects.filter(tradeprogramme_id__in=keys)
        .select_related("province")
        .order_by("province__sort_key", "province_id")
    )
)


def province_by_slug(slug):
    """The province of `slug` with the unit it was merged into, or None."""
    found = _BY_SLUG(slug=slug)
    return found[0] if found else None


def _owned_by(rows, field_name, province):
    """`rows` hold `province` as the related manager they were read through before set it: reading
    `row.province` (or `merged_into`) costs no query."""
    field = rows[0]._meta.get_field(field_name) if rows else None
    for row in rows:
        field.set_cached_value(row, province)
    return rows


def province_figures(province):
    """The province's published products counted by current stars and by group."""
    rows = _FIGURES(province=province.pk)
    by_stars = [(n, sum(row[f"stars_{n}"] for row in rows)) for n in STARS_DESCENDING]
    total = sum(row["total"] for row in rows)
    rated = sum(count for _n, count in by_stars)
    by_group = [
        (SimpleNamespace(code=row[_GROUP[0]], name=row[_GROUP[1]], name_en=row[_GROUP[2]]), row["total"])
        for row in rows
    ]
    return {"total": total, "rated": rated, "unrated": total - rated, "by_stars": by_stars, "by_group": by_group}


def province_products(province):
    return _PRODUCTS(province=province.pk)


def province_titles(province):
    return _owned_by(_TITLES(province=province.pk), "province", province)


def former_units(province):
    return _owned_by(_FORMER(province=province.pk), "merged_into", province)


def reported_figures(province):
    """What sources report about the province's programme, latest first."""
    return _owned_by(_REPORTED(province=province.pk), "province", province)


def programmes(province):
    """The province's trade programmes, each with the other provinces in it."""
    found = _PROGRAMMES(province=province.pk)
    members = {programme.pk: [] for programme in found}
    for row in _MEMBERS(list(members)):
        members[row.tradeprogramme_id].append(row.province)
    return [(programme, [other for other in members[programme.pk] if other.pk != province.pk]) for programme in found]
