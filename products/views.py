"""Public pages of products: the filtered list, a product, its QR code and printable label (exports: trade.views)."""

import io

import segno
from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from core import validity
from core.filters import DeferredJoin
from core.i18n import localized_name
from core.links import page_url
from core.page_cache import KEEP_AT_MOST, cache_public_page
from core.prepared import PreparedQuery
from core.validity import IN_FORCE, CertificateKind, Status
from producers.cache_scopes import province_filter_scopes

from .filters import ProductFilter
from .models import CARD_FIELDS, IP_KINDS, Product, ProductImage
from .search_index import PUBLISHED

PAGE_SIZE = 24
# OFFSET pagination slows down deep into a big table; past this a visitor narrows the filters instead.
MAX_PAGES = 100
RELATED_COUNT = 4
# Order of certificates on a product page: OCOP ratings first, then GIs and marks.
KIND_ORDER = {kind: order for order, kind in enumerate((CertificateKind.OCOP, *IP_KINDS))}
STATUS_ORDER = {status: order for order, status in enumerate(Status)}


@require_safe
@cache_public_page(scopes=province_filter_scopes, national=True)
def product_list(request):
    filterset = ProductFilter(request.GET, lists_from_index=True)
    results = filterset.indexed_results()
    if results is None:
        rows = filterset.qs
        results, count = DeferredJoin(rows, rows.for_cards()), filterset.total
    else:
        count = results.count()  # the pages of the index's own list (the total may be another copy's)
    page = filterset.paginate(results, per_page=PAGE_SIZE, count=count, max_pages=MAX_PAGES)
    suggestions, fewer_words, other_spellings = [], [], []
    # Near misses only when the words match nothing at all (an empty facet cube); when they match
    # elsewhere, the filters to relax are the way out (and a trigram pass over the catalogue is not).
    # Words that each match but not together ("mật ong gạo"): the searches with one word fewer, from
    # the index; the trigram pass (~50 ms of the database's time) is for a word that matches nothing.
    nothing_found = not filterset.total and filterset.values("q") and not filterset.cube()
    if nothing_found:
        fewer_words = filterset.fewer_words()
        other_spellings = filterset.other_spellings()
    if nothing_found and not other_spellings and not (fewer_words and filterset.every_word_found()):
        suggestions = (
            Product.objects.published()
            .select_related("producer__province")
            .only("slug", "name", "producer__province__name", "producer__province__name_en")
            .similar(filterset.values("q")[0])
        )
    context = {
        "filterset": filterset,
        "page": page,
        "products": page.object_list,
        "facets": filterset.facets(),
        "chips": filterset.chips(),
        "sort_links": filterset.sort_links(),
        "suggestions": suggestions,
        "fewer_words": fewer_words,
        "other_spellings": other_spellings,
        "export_url": page_url("products:export_csv") + filterset.query_string(),
        "breadcrumbs": [(_("Sản phẩm"), None)],
    }
    response = render(request, "products/product_list.html", context)
    keep = PUBLISHED.fresh_for() if filterset.index_search is not None else None
    if keep is not None:
        # Read from an index built before the last write: cached no longer than that index may serve.
        setattr(response, KEEP_AT_MOST, keep)
    return response


# The product page's queries, built and compiled once per day (core/prepared.py): the same statements on
# every page, with the slug or the ids as parameters.
_PRODUCT = PreparedQuery(
    lambda day, slug: (
        Product.objects.published()
        .with_current_stars(day)
        .select_related("producer__province", "producer__former_province", "category__group")
        .filter(slug=slug)
    ),
    key=validity.today,
    slug="\x00slug\x00",
)
_ENTRIES = PreparedQuery(
    lambda day, product: (
        _entry_model()
        .objects.filter(product_id=product)
        .with_status(day)
        .select_related("certificate__province", "certificate__former_province", "superseded_by")
    ),
    key=validity.today,
    product=-7_000_000_001,
)


_PHOTOS = PreparedQuery(lambda day, product: ProductImage.objects.filter(product_id=product), product=-7_000_000_005)


def _entry_model():
    """The certificate entry (certifications sits above products: reached through the relation)."""
    return Product._meta.get_field("entries").related_model


def _published(slug):
    found = _PRODUCT(slug=slug)
    if not found:
        raise Http404("No product matches the given query.")
    return found[0]


def _entries(product):
    entries = _ENTRIES(product=product.pk)
    to_product = Product._meta.get_field("entries").field  # the entry's key to its product
    for entry in entries:
        to_product.set_cached_value(entry, product)
    entries.sort(
        key=lambda e: (
            STATUS_ORDER.get(e.status_code, 9),
            KIND_ORDER.get(e.kind, 9),
            -(e.certificate.issued_on.toordinal() if e.certificate.issued_on else 0),
        )
    )
    return entries


def _schema_status(code):
    """schema.org's status of a certification; none for "unknown", which the register can neither claim nor deny."""
    if code in IN_FORCE:
        return "https://schema.org/CertificationActive"
    return None if code == Status.UNKNOWN else "https://schema.org/CertificationInactive"


def product_json_ld(request, product, entries, image_url):
    """schema.org Product with its certifications; an OCOP rating is the certification's rating."""
    certifications = []
    for entry in entries:
        certificate = entry.certificate
        item = {
            "@type": "Certification",
            "name": f"{certificate.get_kind_display()}: {certificate.title}",
            "certificationStatus": _schema_status(entry.status_code),
            "issuedBy": {"@type": "Organization", "name": certificate.issuer} if certificate.issuer else None,
            "certificationIdentification": certificate.number or None,
            "validFrom": certificate.issued_on.isoformat() if certificate.issued_on else None,
            "expires": certificate.valid_until.isoformat() if certificate.valid_until else None,
            "url": request.build_absolute_uri(certificate.get_absolute_url()),
        }
        if entry.stars:
            item["certificationRating"] = {
                "@type": "Rating",
                "ratingValue": entry.stars,
                "bestRating": 5,
                "worstRating": 1,
                "name": ngettext("%(n)s sao OCOP", "%(n)s sao OCOP", entry.stars) % {"n": entry.stars},
            }
        certifications.append({k: v for k, v in item.items() if v is not None})
    producer = product.producer
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": request.build_absolute_uri(product.get_absolute_url()),
        "description": product.description or None,
        "category": localized_name(product.category),
        "image": image_url,
        "countryOfOrigin": {"@type": "Country", "name": "Việt Nam"},
        "manufacturer": {
            "@type": "Organization",
            "name": producer.name,
            "url": request.build_absolute_uri(producer.get_absolute_url()),
            "address": {
                "@type": "PostalAddress",
                "streetAddress": producer.address or None,
                "addressRegion": producer.province.name,
                "addressCountry": "VN",
            },
        },
        "hasCertification": certifications or None,
    }
    data["manufacturer"]["address"] = {k: v for k, v in data["manufacturer"]["address"].items() if v}
    return {k: v for k, v in data.items() if v is not None}


# The three narrow lists of related_products, each a derived table (SQLite takes no LIMIT directly in
# a compound SELECT). Written out once rather than built by the ORM on every product page: the same
# statement with new parameters, and building it cost as much as running it.
_RELATED_PART = (
    "SELECT * FROM (SELECT id FROM {table} WHERE is_published AND id <> %s AND {where}"
    " ORDER BY name_key, id LIMIT {n}) AS {name}"
)
_RELATED_WHERE = (
    "producer_id = %s",
    "category_id = %s AND producer_id <> %s AND name_key > %s",
    "category_id = %s AND producer_id <> %s AND name_key <= %s",
)


def _related_ids(pk, producer, category, name_key):
    """One subquery of the ids of the three lists, each in index order with its own limit."""
    table = connection.ops.quote_name(Product._meta.db_table)
    sql = " UNION ALL ".join(
        _RELATED_PART.format(table=table, where=where, n=RELATED_COUNT, name=f"related_{number}")
        for number, where in enumerate(_RELATED_WHERE)
    )
    in_category = [category, producer, name_key]
    params = [pk, producer, pk, *in_category, pk, *in_category]
    return RawSQL(sql, params)  # noqa: S611 (a fixed statement; values stay parameters)


_RELATED = PreparedQuery(
    lambda day, **product: (
        Product.objects.for_cards(day).only(*CARD_FIELDS, "name_key").filter(pk__in=_related_ids(**product)).order_by()
    ),
    key=validity.today,
    pk=-7_000_000_002,
    producer=-7_000_000_003,
    category=-7_000_000_004,
    name_key="\x00name_key\x00",
)


def related_products(product):
    """The producer's other products, then the product's neighbours A–Z in its category (wrapping).

    Each of the three small lists reads an index in order ((producer, is_published) and
    (category, name_key)), so the cost does not grow with the size of a category. They are picked in
    one subquery (a UNION of the three narrow lists) and their cards fetched in the same query, always,
    so the page's query count does not depend on the data either.
    """
    cards = _RELATED(
        pk=product.pk, producer=product.producer_id, category=product.category_id, name_key=product.name_key
    )

    def place(card):
        if card.producer_id == product.producer_id:
            return (0, card.name_key, card.pk)
        return (1 if card.name_key > product.name_key else 2, card.name_key, card.pk)

    return sorted(cards, key=place)[:RELATED_COUNT]


@require_safe
@cache_public_page(scopes=lambda request, slug: (f"product:{slug}",))
def product_detail(request, slug):
    product = _published(slug)
    entries = _entries(product)
    photos = _PHOTOS(product=product.pk)
    related = related_products(product)
    image_url = request.build_absolute_uri(product.image.url) if product.image else None
    context = {
        "product": product,
        "producer": product.producer,
        "entries": entries,
        "photos": photos,
        "related": related,
        "json_ld": product_json_ld(request, product, entries, image_url),
        "og_image": image_url,
        "breadcrumbs": [
            (_("Sản phẩm"), page_url("products:product_list")),
            (
                localized_name(product.producer.province),
                page_url("products:product_list") + f"?province={product.producer.province.slug}",
            ),
            (product.name, None),
        ],
    }
    return render(request, "products/product_detail.html", context)


@require_safe
def product_qr(request, slug):
    product = get_object_or_404(Product.objects.published().only("slug", "name"), slug=slug)
    qr = segno.make(request.build_absolute_uri(product.get_absolute_url()), error="m")
    svg = io.BytesIO()
    # A standalone file (with its namespace) on a white ground, so it scans when printed on colour.
    qr.save(svg, kind="svg", scale=4, border=2, light="#fff", title=product.name)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def product_label(request, slug):
    product = _published(slug)
    entries = [e for e in _entries(product) if e.status_code in IN_FORCE]
    context = {
        "product": product,
        "producer": product.producer,
        "entries": entries,
        "page_url": request.build_absolute_uri(product.get_absolute_url()),
        "qr_size": segno.make(request.build_absolute_uri(product.get_absolute_url()), error="m").symbol_size(
            scale=4, border=2
        ),
    }
    return render(request, "products/product_label.html", context)
