"""Site-wide views: home page, robots.txt, favicon and web-app manifest (the health check is in health.py)."""

import copy
from pathlib import Path

from django.conf import settings
from django.db.models import Count, F
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import npgettext
from django.views.decorators.http import require_safe

from certifications.models import Certificate, CertificateKind, CertifiedProduct
from core import validity
from core.filters import RowsByKey
from core.page_cache import cache_public_page
from core.prepared import PreparedByKeys, PreparedQuery
from products.filters import CARDS_BY_KEY, ProductFilter
from products.models import Product

FEATURED = 8
RECENT = 8


@require_safe
@cache_public_page
def home(request):
    # The ids first (from the index `product_published_updated` alone, newest-updated first until eight are
    # five-star today: 3.5 → 0.03 ms at 100,000 products), then their cards by key, the product list's
    # prepared statement: joining every card's producer, province and category before keeping eight cost
    # the database ~8 ms.
    featured = RowsByKey([row["pk"] for row in _FEATURED_IDS()], CARDS_BY_KEY)[:FEATURED]
    recent = recent_entries()
    # Products per province and per group: read off the search index's facet cube (this process's copy,
    # as the product list reads it), else the cube the lists share (cached under the catalogue version),
    # not two more passes over every product.
    filterset = ProductFilter(QueryDict(), lists_from_index=True)
    counts = filterset.counts
    # Copies: the filter's provinces and groups are shared by the process's requests (kept_in_process).
    provinces = [copy.copy(province) for province in sorted(filterset.provinces, key=lambda p: p.sort_key)]
    for province in provinces:
        province.product_count = counts.get(("province", province.slug), 0)
    groups = [copy.copy(group) for group in sorted(filterset.groups, key=lambda group: group.code)]
    for group in groups:
        group.product_count = counts.get(("group", str(group.code)), 0)
    former = {}
    for unit in filterset.former_provinces.values():
        former.setdefault(unit.merged_into.slug, []).append(unit)
    titles = {row["kind"]: row["n"] for row in _TITLE_COUNTS()}
    context = {
        "featured": featured,
        "recent": recent,
        "provinces": provinces,
        "rated": filterset.rated_by_province(),
        "former": former,
        "groups": groups,
        "product_total": counts["total"],
        "examples": search_examples(featured + [entry.product for entry in recent]),
        "example_number": next((e.certificate.number for e in recent if e.certificate.number), ""),
        "title_counts": [
            (kind_count_label(kind, titles.get(kind, 0)), titles.get(kind, 0), kind) for kind in CertificateKind
        ],
    }
    return render(request, "home.html", context)


# The home page's own statements, prepared (core/prepared.py): the most recently updated five-star products
# (the day is in the statement: the stars in force) and the number of titles of each kind.
_FEATURED_IDS = PreparedQuery(
    lambda day: (
        Product.objects.published().with_min_stars(5, day).order_by("-updated_at", "pk").values("pk")[:FEATURED]
    ),
    key=validity.today,
)
_TITLE_COUNTS = PreparedQuery(lambda key: Certificate.objects.order_by().values("kind").annotate(n=Count("*")))


def kind_count_label(kind, n):
    """A kind's name after a count: "53 Geographical indications" in English (one form in Vietnamese)."""
    labels = {  # each translated only when asked for (the literals stay where makemessages finds them)
        CertificateKind.GI: lambda: npgettext("count", "Chỉ dẫn địa lý", "Chỉ dẫn địa lý", n),
        CertificateKind.CERTIFICATION_MARK: lambda: npgettext(
            "count", "Nhãn hiệu chứng nhận", "Nhãn hiệu chứng nhận", n
        ),
        CertificateKind.COLLECTIVE_MARK: lambda: npgettext("count", "Nhãn hiệu tập thể", "Nhãn hiệu tập thể", n),
        CertificateKind.OCOP: lambda: npgettext("count", "Quyết định công nhận OCOP", "Quyết định công nhận OCOP", n),
    }
    return labels[CertificateKind(kind)]()


def search_examples(products, limit=3):
    """Searches that find something, drawn from products on the page: "chè Thái Nguyên" (category and
    province, both in every product's search text), each at least the product it was drawn from."""
    examples = []
    for product in products:
        if product.category_id is None:
            continue
        if hasattr(product, "card_category"):  # a card's row (for_cards): the names are its own columns
            category, province = product.card_category, product.card_province
        else:
            category, province = product.category.name, product.producer.province.name
        text = f"{category.lower()} {province.removeprefix('TP. ')}"
        if text not in examples:
            examples.append(text)
        if len(examples) == limit:
            break
    return examples


def recent_entries():
    """The newest in-force entries of published products, a product shown once.

    The entries are read newest certificate first from an index on the certificates' dates
    (`certificate_issued_desc`, PostgreSQL), each certificate's entries as it comes, stopping once the first
    RECENT * 3 are found (an incremental sort: ~80 entries at 100,000 products instead of sorting all
    1,600 entries of the 40 newest certificates, 3.9 → 0.4 ms). Then those few rows with their product,
    producer, province and group. Both statements are prepared (core/prepared.py).
    """
    ids, seen = [], set()
    for row in _RECENT_IDS():
        if row["product_id"] not in seen and len(ids) < RECENT:
            seen.add(row["product_id"])
            ids.append(row["pk"])
    return RowsByKey(ids, _RECENT_ROWS)[:]


_RECENT_IDS = PreparedQuery(
    lambda day: (
        CertifiedProduct.objects.in_force(day)
        .filter(product__is_published=True)
        .order_by(F("certificate__issued_on").desc(nulls_last=True), "-pk")
        .values("pk", "product_id")[: RECENT * 3]
    ),
    key=validity.today,
)
# What the recent list and the search examples show: with the keys, ~20 of the joined tables' ~130 columns
# (the product's 69 alone cost their conversions and model fields on every home page).
RECENT_FIELDS = (
    "kind",
    "stars",
    "certificate__number",
    "certificate__issued_on",
    "certificate__issued_year",
    "product__slug",
    "product__name",
    "product__producer__province__slug",
    "product__producer__province__name",
    "product__producer__province__name_en",
    "product__category__name",
)
_RECENT_ROWS = PreparedByKeys(
    lambda key, keys: (
        CertifiedProduct.objects.select_related("certificate", "product__producer__province", "product__category")
        .only(*RECENT_FIELDS)
        .filter(pk__in=keys)
        .order_by()
    )
)


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


ICON_MAX_AGE = 7 * 24 * 3600


@require_safe
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page's <link rel="icon"> says."""
    data = (Path(settings.BASE_DIR) / "static" / "img" / "favicon.ico").read_bytes()
    response = HttpResponse(data, content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={ICON_MAX_AGE}"
    return response


@require_safe
def web_manifest(request):
    icons = [
        {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"} for size in (192, 512)
    ]
    manifest = {
        "name": "OCOP Việt Nam: danh mục sản phẩm và chứng nhận",
        "short_name": "OCOP Việt Nam",
        "lang": "vi",
        "start_url": "/",
        "display": "browser",
        "background_color": "#f4f7f4",
        "theme_color": "#0b3b25",
        "icons": icons,
    }
    response = JsonResponse(
        manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = f"public, max-age={ICON_MAX_AGE}"
    return response
