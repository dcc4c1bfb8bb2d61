"""Public pages of provinces: the current units with their former ones, and one province's products,
figures and protected names. The project's, not the producers app's: they count products and
certificates, which sit above producers.
"""

from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_safe

from certifications.models import Certificate
from core.i18n import is_english, localized_name
from core.page_cache import cache_public_page
from core.validity import STAR_LEVELS, CertificateKind, today
from producers.cache_scopes import province_page_scopes
from producers.models import Province
from producers.views import count_of
from products.models import Product

from .province_queries import (
    former_units,
    programmes,
    province_by_slug,
    province_figures,
    province_products,
    province_titles,
    reported_figures,
)


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
        "breadcrumbs": [(pgettext("nav", "Tỉnh, thành phố"), None)],
    }
    return render(request, "producers/province_list.html", context)


@require_safe
@cache_public_page(scopes=province_page_scopes)
def province_detail(request, slug):
    province = province_by_slug(slug)
    if province is None:
        # A name people still write ("thua-thien-hue" for Huế) leads to the unit that carries it now.
        named = next((p for p in Province.objects.exclude(aliases="") if slug in p.alias_slugs()), None)
        if named is None:
            raise Http404(_("Không có tỉnh, thành phố này."))
        return redirect(named, permanent=True)
    if not province.is_current:
        return redirect(province.merged_into, permanent=True)
    figures = province_figures(province)
    products = province_products(province)
    titles = province_titles(province)
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
        "former_units": former_units(province),
        # What sources report about the province's programme, beside what this catalogue holds.
        "reported": reported_figures(province),
        "programmes": programmes(province),
        "figures": figures,
        "chart_stars": chart_stars,
        "chart_groups": chart_groups,
        "products": products,
        "titles": titles,
        "list_url": f"{list_url}?province={province.slug}",
        # Only when the list it opens is not empty (a province whose ratings are all of unknown validity has none).
        "four_star_url": (
            f"{list_url}?province={province.slug}&stars=4" if any(n >= 4 and c for n, c in figures["by_stars"]) else ""
        ),
        "certificates_url": reverse("certifications:certificate_list") + f"?province={province.slug}",
        "breadcrumbs": [
            (pgettext("nav", "Tỉnh, thành phố"), reverse("producers:province_list")),
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
