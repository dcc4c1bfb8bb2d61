"""Site-wide views: home page, health check, robots.txt."""

import time

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
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
@never_cache
def healthz(request):
    """200 with JSON when the database and the cache answer, 503 naming what failed otherwise."""
    checks = {}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = "error"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error"
    except Exception:  # noqa: BLE001
        checks["cache"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks, "ms": round((time.monotonic() - started) * 1000)}
    return JsonResponse(body, status=200 if healthy else 503)


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
