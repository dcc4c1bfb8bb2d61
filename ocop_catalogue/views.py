"""Site-wide views: home page, robots.txt (the health check is in health.py)."""

from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from certifications.models import Certificate, CertificateKind, CertifiedProduct
from producers.models import Province
from products.models import Product, ProductGroup

from .cache import cache_public_page

FEATURED = 8
RECENT = 8


@require_safe
@cache_public_page
def home(request):
    featured = list(Product.objects.published().with_min_stars(5).for_cards().order_by("-updated_at", "pk")[:FEATURED])
    # The newest in-force entries; a product on several recent certificates is shown once.
    recent, seen = [], set()
    entries = (
        CertifiedProduct.objects.in_force()
        .filter(product__is_published=True)
        .select_related("certificate", "product__producer__province", "product__category__group")
        .order_by(F("certificate__issued_on").desc(nulls_last=True), "-pk")[: RECENT * 3]
    )
    for entry in entries:
        if entry.product_id not in seen and len(recent) < RECENT:
            seen.add(entry.product_id)
            recent.append(entry)
    provinces = list(
        Province.objects.current()
        .annotate(product_count=Count("producers__products", filter=Q(producers__products__is_published=True)))
        # Meta.ordering does not apply to GROUP BY queries: name the order.
        .order_by("sort_key")
    )
    groups = list(
        ProductGroup.objects.annotate(
            product_count=Count("categories__products", filter=Q(categories__products__is_published=True))
        ).order_by("code")
    )
    titles = dict(Certificate.objects.order_by().values_list("kind").annotate(n=Count("*")))
    context = {
        "featured": featured,
        "recent": recent,
        "provinces": provinces,
        "groups": groups,
        "product_total": sum(g.product_count for g in groups),
        "title_counts": [(label, titles.get(kind, 0), kind) for kind, label in CertificateKind.choices],
    }
    return render(request, "home.html", context)


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /shortlist/", "Disallow: /i18n/"]
    # Exports and print labels copy what the HTML pages already offer.
    lines += ["Disallow: /products/export.", "Disallow: /en/products/export.", "Disallow: /*/label/", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}" if _has_sitemap() else "")
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _has_sitemap():
    from django.urls import NoReverseMatch

    try:
        reverse("sitemap")
    except NoReverseMatch:
        return False
    return True
