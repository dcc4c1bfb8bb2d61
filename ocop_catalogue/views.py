"""Site-wide views: home page, robots.txt (the health check is in health.py)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from producers.models import Province
from products.models import Product


@require_GET
def home(request):
    featured = (
        Product.objects.published()
        .with_min_stars(5)
        .with_current_stars()
        .select_related("producer__province", "category")[:8]
    )
    provinces = Province.objects.current()
    return render(request, "home.html", {"featured": featured, "provinces": provinces})


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /shortlist/", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}" if _has_sitemap() else "")
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _has_sitemap():
    from django.urls import NoReverseMatch

    try:
        reverse("sitemap")
    except NoReverseMatch:
        return False
    return True
