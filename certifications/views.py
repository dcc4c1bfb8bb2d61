"""Public register of certificates, one certificate with its products, and the verify page."""

from django.db.models import Count, F, Prefetch, Value
from django.db.models.functions import Replace
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.filters import clean_text
from core.page_cache import cache_public_page
from core.text import normalise_certificate_number
from core.validity import Status
from producers.cache_scopes import province_filter_scopes

from .filters import CertificateFilter
from .models import Certificate, CertificateKind, CertifiedProduct

PER_PAGE = 30
NEAR_MATCHES = 5


def _register_order(queryset):
    # NULL dates (GIs known only by year) last on both databases.
    return queryset.order_by(F("issued_on").desc(nulls_last=True), "-issued_year", "title", "pk")


@require_safe
@cache_public_page(scopes=province_filter_scopes, national=True)
def certificate_list(request):
    filterset = CertificateFilter(request.GET)
    queryset = _register_order(
        filterset.qs.with_status()
        .select_related("province", "former_province")
        .annotate(product_count=Count("entries"))
    )
    page = filterset.paginate(queryset, per_page=PER_PAGE)
    context = {
        "filterset": filterset,
        "page": page,
        "certificates": page.object_list,
        "kinds": CertificateKind.choices,
        "statuses": Status.choices,
        "provinces": filterset.choices_of("province"),
        "selected": {name: filterset.values(name) for name in ("kind", "status", "province")},
        "breadcrumbs": [(_("Văn bản chứng nhận"), None)],
    }
    return render(request, "certifications/certificate_list.html", context)


def _entries_prefetch():
    return Prefetch(
        "entries",
        queryset=CertifiedProduct.objects.with_status()
        .filter(product__is_published=True)
        .select_related("product__producer__province")
        .order_by("product__name", "pk"),
    )


@require_safe
@cache_public_page(scopes=lambda request, pk: (f"certificate:{pk}",))
def certificate_detail(request, pk):
    certificate = get_object_or_404(
        Certificate.objects.with_status()
        .select_related("province", "former_province")
        .prefetch_related(_entries_prefetch()),
        pk=pk,
    )
    context = {
        "certificate": certificate,
        "entries": list(certificate.entries.all()),
        "verify_url": (
            reverse("certifications:verify") + "?" + _number_query(certificate.number) if certificate.number else ""
        ),
        "breadcrumbs": [
            (_("Văn bản chứng nhận"), reverse("certifications:certificate_list")),
            (certificate.number or certificate.title, None),
        ],
    }
    return render(request, "certifications/certificate_detail.html", context)


def _number_query(number):
    query = QueryDict(mutable=True)
    query["number"] = number
    return query.urlencode()


def near_matches(key):
    """Certificates whose number looks like `key` without being it ("1032" for "1032/QĐ-UBND",
    "2" for "00002"). Offered as links to check, never as a verdict."""
    if not key:
        return []
    candidates = [key + "/"]
    if key.isdigit():
        candidates.append(key.zfill(5))
    queryset = Certificate.objects.none()
    for candidate in candidates:
        lookup = {"number_key": candidate} if not candidate.endswith("/") else {"number_key__startswith": candidate}
        queryset = queryset | Certificate.objects.filter(**lookup)
    found = list(queryset.select_related("province").order_by("number_key", "pk")[:NEAR_MATCHES])
    if not found and "/" in key:
        # A hyphen typed as a space or left out ("2865/QĐ UBND", "2865/QĐUBND"): the same number but for its
        # hyphens. Among the numbers sharing its digits before the slash, compared without them.
        same_digits = Certificate.objects.filter(number_key__startswith=key.split("/", 1)[0] + "/")
        without_hyphens = same_digits.annotate(loose=Replace("number_key", Value("-"), Value("")))
        found = list(
            without_hyphens.filter(loose=key.replace("-", ""))
            .select_related("province")
            .order_by("number_key", "pk")[:NEAR_MATCHES]
        )
    return found


@require_safe
@cache_public_page(scopes=lambda request: ("register",))
def verify(request):
    values = request.GET.getlist("number")
    number = clean_text(values[0], 100)[0] if values else ""
    key = normalise_certificate_number(number)
    matches, near = [], []
    if key:
        matches = list(
            Certificate.objects.find_number(number)
            .with_status()
            .select_related("province", "former_province")
            .prefetch_related(_entries_prefetch())
            .order_by("kind", "province__sort_key", "pk")
        )
        if not matches:
            near = near_matches(key)
    context = {
        "number": number,
        "searched": bool(key),
        "unreadable": bool(values) and not key,  # sent, but nothing in it to look up (NUL, control characters)
        "matches": matches,
        "near": [(c, reverse("certifications:verify") + "?" + _number_query(c.number)) for c in near],
        "breadcrumbs": [(_("Kiểm tra chứng nhận"), None)],
    }
    return render(request, "certifications/verify.html", context)
