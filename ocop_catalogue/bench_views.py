"""Floor views for `make bench`, mounted only when DJANGO_BENCH_FLOORS is set.

F1 is the cheapest response Django can give through the site's middleware; F2 is a
TechEmpower-style "fortunes" page: one query of 12 rows rendered by a template. Catalogue pages
are reported as ratios to these floors measured in the same run, so figures from a noisy 2-core
machine stay comparable.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from producers.models import Province


@require_safe
def floor_trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


@require_safe
def floor_fortunes(request):
    rows = list(Province.objects.order_by("pk").values("name", "name_en", "slug")[:12])
    return render(request, "bench/fortunes.html", {"rows": rows})
