"""Public pages of provinces and producers.

This app sits below products and certifications: it reaches their rows through the ORM by name
(`apps.get_model`, reverse relations), never by importing them.
"""

from types import SimpleNamespace

from django.apps import apps
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from core.cache import cache_public_page
from core.i18n import localized_name

from .filters import ProducerFilter
from .models import Producer, Province

PRODUCERS_PER_PAGE = 30
PROVINCE_TOP_PRODUCTS = 8
PROVINCE_CERTIFICATES = 60
STAR_LEVELS = (5, 4, 3)


def _product_model():
    return apps.get_model("products", "Product")


def _count_of(queryset, **outer):
    """A correlated COUNT(*) subquery of `queryset` (0, not NULL, when nothing matches)."""
    counted = queryset.filter(**outer).order_by().values(*outer).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@require_safe
@cache_public_page
def province_list(request):
    products = _product_model().objects.published()
    certificates = apps.get_model("certifications", "Certificate").objects.exclude(kind="ocop")
    provinces = Province.objects.current().annotate(
        product_count=_count_of(products, producer__province=OuterRef("pk")),
        title_count=_count_of(certificates, province=OuterRef("pk")),
    )
    former = {}
    for unit in Province.objects.former():
        former.setdefault(unit.merged_into_id, []).append(unit)
    rows = [(province, former.get(province.pk, [])) for province in provinces]
    context = {"rows": rows, "breadcrumbs": [(_("Tỉnh, thành phố"), None)]}
    return render(request, "producers/province_list.html", context)


def province_figures(province):
    """Counts of the province's published products by current stars and by group, in one query."""
    product_model = _product_model()
    # Current stars from the products' stored validity copy: plain columns, no subquery per product.
    stars = {f"stars_{n}": Count("pk", filter=Q(current_stars=n)) for n in STAR_LEVELS}
    rows = list(
        product_model.objects.published()
        .filter(producer__province=province)
        .with_current_stars()
        .order_by()
        .values("category__group__code", "category__group__name", "category__group__name_en")
        .annotate(total=Count("pk"), **stars)
        .order_by("category__group__code")
    )
    by_stars = [(n, sum(row[f"stars_{n}"] for row in rows)) for n in STAR_LEVELS]
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
@cache_public_page
def province_detail(request, slug):
    province = get_object_or_404(Province.objects.select_related("merged_into"), slug=slug)
    if not province.is_current:
        return redirect(province.merged_into, permanent=True)
    figures = province_figures(province)
    products = list(
        _product_model()
        .objects.published()
        .filter(producer__province=province)
        .for_cards()
        .order_by(F("current_stars").desc(nulls_last=True), "search_text")[:PROVINCE_TOP_PRODUCTS]
    )
    titles = list(
        province.certificates.exclude(kind="ocop")
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
            (localized_name(province), None),
        ],
    }
    return render(request, "producers/province_detail.html", context)


@require_safe
@cache_public_page
def producer_list(request):
    filterset = ProducerFilter(request.GET)
    products = _product_model().objects.published()
    queryset = (
        filterset.qs.select_related("province")
        .annotate(product_count=_count_of(products, producer=OuterRef("pk")))
        .order_by("name", "pk")
    )
    page = filterset.paginate(queryset, per_page=PRODUCERS_PER_PAGE)
    context = {
        "filterset": filterset,
        "page": page,
        "producers": page.object_list,
        "kinds": Producer.Kind.choices,
        "query_text": (filterset.values("q") or [""])[0],
        "selected_provinces": filterset.values("province"),
        "selected_kinds": filterset.values("kind"),
        "breadcrumbs": [(_("Chủ thể OCOP"), None)],
    }
    return render(request, "producers/producer_list.html", context)


@require_safe
@cache_public_page
def producer_detail(request, slug):
    producer = get_object_or_404(Producer.objects.select_related("province", "former_province"), slug=slug)
    products = list(_product_model().objects.published().filter(producer=producer).for_cards().order_by("search_text"))
    entries = list(
        apps.get_model("certifications", "CertifiedProduct")
        .objects.filter(product__producer=producer, product__is_published=True)
        .with_status()
        .select_related("certificate", "product")
        .order_by("certificate__kind", "-certificate__issued_on", "product__name")
    )
    context = {
        "producer": producer,
        "products": products,
        "entries": entries,
        "breadcrumbs": [
            (_("Chủ thể OCOP"), reverse("producers:producer_list")),
            (
                localized_name(producer.province),
                reverse("producers:producer_list") + f"?province={producer.province.slug}",
            ),
            (producer.name, None),
        ],
    }
    return render(request, "producers/producer_detail.html", context)
