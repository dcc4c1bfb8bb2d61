"""Public pages of provinces: the current units with their former ones, and one province's products,
figures and protected names. The project's, not the producers app's: they count products and
certificates, which sit above producers.
"""

from types import SimpleNamespace

from django.db.models import Count, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from certifications.models import Certificate
from core.i18n import is_english, localized_name
from core.page_cache import cache_public_page
from core.validity import STAR_LEVELS, CertificateKind, today
from producers.cache_scopes import province_page_scopes
from producers.models import Province
from producers.views import count_of
from products.models import Product

PROVINCE_TOP_PRODUCTS = 8
PROVINCE_CERTIFICATES = 60
REPORTED_FIGURES = 6
# The figures list the best rating first.
STARS_DESCENDING = tuple(sorted(STAR_LEVELS, reverse=True))


@require_safe
@cache_public_page
def province_list(request):
    products = Product.objects.published()
    certificates = Certificate.objects.exclude(kind=CertificateKind.OCOP)
    # ocop_until_3 is the last day of a rating of at least 3 stars: of any rating.
    rated = products.filter(**{f"ocop_until_{min(STAR_LEVELS)}__gte": today()})
    provinces = Province.objects.current().annotate(
        product_count=count_of(products, producer__province=OuterRef("pk")),
        rated_count=count_of(rated, producer__province=OuterRef("pk")),
        title_count=count_of(certificates, province=OuterRef("pk")),
    )
    former = {}
    for unit in Province.objects.former():
        former.setdefault(unit.merged_into_id, []).append(unit)
    rows = [(province, former.get(province.pk, [])) for province in provinces]
    context = {
        "rows": rows,
        "provinces": [province for province, _former in rows],
        "rated": {province.slug: province.rated_count for province, _former in rows},
        "former": {province.slug: units for province, units in rows},
        "breadcrumbs": [(_("Tỉnh, thành phố"), None)],
    }
    return render(request, "producers/province_list.html", context)


def province_figures(province):
    """Counts of the province's published products by current stars and by group, in one query."""
    # Current stars from the products' stored validity copy: plain columns, no subquery per product.
    stars = {f"stars_{n}": Count("pk", filter=Q(current_stars=n)) for n in STARS_DESCENDING}
    rows = list(
        Product.objects.published()
        .filter(producer__province=province)
        .with_current_stars()
        .order_by()
        .values("category__group__code", "category__group__name", "category__group__name_en")
        .annotate(total=Count("pk"), **stars)
        .order_by("category__group__code")
    )
    by_stars = [(n, sum(row[f"stars_{n}"] for row in rows)) for n in STARS_DESCENDING]
    total = sum(row["total"] for row in rows)
    rated = sum(count for _n, count in by_stars)
    by_group = [
        (
            SimpleNamespace(
                code=row["category__group__code"],
                name=row["category__group__name"],
                name_en=row["category__group__name_en"],
            ),
            row["total"],
        )
        for row in rows
    ]
    return {"total": total, "rated": rated, "unrated": total - rated, "by_stars": by_stars, "by_group": by_group}


@require_safe
@cache_public_page(scopes=province_page_scopes)
def province_detail(request, slug):
    province = Province.objects.select_related("merged_into").filter(slug=slug).first()
    if province is None:
        # A name people still write ("thua-thien-hue" for Huế) leads to the unit that carries it now.
        named = next((p for p in Province.objects.exclude(aliases="") if slug in p.alias_slugs()), None)
        if named is None:
            raise Http404(_("Không có tỉnh, thành phố này."))
        return redirect(named, permanent=True)
    if not province.is_current:
        return redirect(province.merged_into, permanent=True)
    figures = province_figures(province)
    products = list(
        Product.objects.published()
        .filter(producer__province=province)
        .for_cards()
        .order_by(F("current_stars").desc(nulls_last=True), "search_text")[:PROVINCE_TOP_PRODUCTS]
    )
    titles = list(
        province.certificates.exclude(kind=CertificateKind.OCOP)
        .with_status()
        .select_related("former_province")
        .order_by("kind", "title")[:PROVINCE_CERTIFICATES]
    )
    list_url = reverse("products:product_list")
    chart_stars = [
        (
            ngettext("%(n)s sao", "%(n)s sao", n) % {"n": n},
            count,
            f"{list_url}?province={province.slug}&stars={n}",
            f"stars-{n}",
        )
        for n, count in figures["by_stars"]
    ]
    chart_stars.append((_("Chưa có hạng"), figures["unrated"], None, "stars-none"))
    chart_groups = [
        (localized_name(group), count, f"{list_url}?province={province.slug}&group={group.code}", "group")
        for group, count in figures["by_group"]
    ]
    context = {
        "province": province,
        "former_units": list(province.former_units.all()),
        # What sources report about the province's programme, beside what this catalogue holds.
        "reported": list(province.reported_figures.order_by("-as_of")[:REPORTED_FIGURES]),
        "programmes": [
            (programme, [other for other in programme.provinces.all() if other.pk != province.pk])
            for programme in province.programmes.prefetch_related("provinces")
        ],
        "figures": figures,
        "chart_stars": chart_stars,
        "chart_groups": chart_groups,
        "products": products,
        "titles": titles,
        "list_url": f"{list_url}?province={province.slug}",
        "four_star_url": f"{list_url}?province={province.slug}&stars=4",
        "certificates_url": reverse("certifications:certificate_list") + f"?province={province.slug}",
        "breadcrumbs": [
            (_("Tỉnh, thành phố"), reverse("producers:province_list")),
            (province.full_name_en if is_english() else province.full_name, None),
        ],
    }
    return render(request, "producers/province_detail.html", context)


# Included under the "producers" namespace by ocop_catalogue/urls.py: the URL names stay
# producers:province_list and producers:province_detail.
urlpatterns = [
    path("provinces/", province_list, name="province_list"),
    path("provinces/<slug:slug>/", province_detail, name="province_detail"),
]
