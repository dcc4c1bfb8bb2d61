"""Public pages of producers (the province pages, which count products and certificates, are the
project's: ocop_catalogue/provinces.py).

This app sits below products and certifications: it reaches their rows through the ORM's reverse
relations (a producer's `products`, a product's `entries`), never by importing them.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.i18n import localized_name
from core.page_cache import cache_public_page

from .cache_scopes import province_filter_scopes
from .filters import ProducerFilter
from .models import Producer

PRODUCERS_PER_PAGE = 30


def _product_model():
    return Producer._meta.get_field("products").related_model


def count_of(queryset, **outer):
    """A correlated COUNT(*) subquery of `queryset` (0, not NULL, when nothing matches)."""
    counted = queryset.filter(**outer).order_by().values(*outer).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@require_safe
@cache_public_page(scopes=province_filter_scopes, national=True)
def producer_list(request):
    filterset = ProducerFilter(request.GET)
    products = _product_model().objects.published()
    queryset = (
        filterset.qs.select_related("province")
        .annotate(product_count=count_of(products, producer=OuterRef("pk")))
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
@cache_public_page(scopes=lambda request, slug: (f"producer:{slug}",))
def producer_detail(request, slug):
    producer = get_object_or_404(Producer.objects.select_related("province", "former_province"), slug=slug)
    products = list(_product_model().objects.published().filter(producer=producer).for_cards().order_by("search_text"))
    entry_model = _product_model()._meta.get_field("entries").related_model
    entries = list(
        entry_model.objects.filter(product__producer=producer, product__is_published=True)
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
