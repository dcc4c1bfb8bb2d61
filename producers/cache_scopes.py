"""What a write to a place or a producer touches in the page cache (core/cache.py scopes), and which
province a page's `province` parameter names."""

import time

from core import cache

from .models import Producer, Province, ReportedFigure, StaffProvince, TradeProgramme

# Provinces change once in a generation: each process reads their slugs again after this many seconds.
SLUGS_SECONDS = 300
_slugs = {"read": -SLUGS_SECONDS, "current": {}}


def current_slugs() -> dict[str, str]:
    """{slug of a current or former unit: slug of the current unit that carries it now}."""
    if time.monotonic() - _slugs["read"] >= SLUGS_SECONDS:
        rows = Province.objects.values_list("slug", "merged_into__slug")
        _slugs["current"] = {slug: merged_into or slug for slug, merged_into in rows}
        _slugs["read"] = time.monotonic()
    return _slugs["current"]


def province_scope(slug: str) -> str | None:
    """The scope of the province a page names by `slug` (a former one's is its current unit's); None when
    the slug names no province (the page is then one over the whole catalogue)."""
    current = current_slugs().get(slug)
    return f"province:{current}" if current else None


def producer_scopes(producer):
    """The producer's page, its province's pages, and the pages of its products (which show the
    producer); the register (the verify page names producers). From the instance: a deleted one too."""
    yield f"producer:{producer.slug}"
    province = Province.objects.filter(pk=producer.province_id).values_list("slug", flat=True).first()
    if province:
        yield f"province:{province}"
    yield "register"
    for product in Producer.objects.filter(pk=producer.pk).values_list("products__slug", flat=True):
        if product:
            yield f"product:{product}"


def _province_of(instance):
    yield f"province:{instance.province.slug}"


def register():
    cache.register_scopes(Producer, producer_scopes)
    cache.register_scopes(ReportedFigure, _province_of)
    # A programme can join several provinces: rare, and named by no single one.
    cache.register_scopes(TradeProgramme, lambda _programme: None)
    # Staff assignments are shown on no public page.
    cache.register_scopes(StaffProvince, lambda _assignment: ())


def province_filter_scopes(request, *args, **kwargs):
    """A list filtered to one province shows that province's rows only: its scope (else none)."""
    values = request.GET.getlist("province")
    scope = province_scope(values[0]) if len(values) == 1 else None
    return (scope,) if scope else ()


def province_page_scopes(request, slug):
    scope = province_scope(slug)
    return (scope,) if scope else ()
