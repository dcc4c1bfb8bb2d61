"""Products as open data: one JSON shape for the API (`/api/products/`) and the dump (`export_open_data`).

    queryset = with_open_data(ProductFilter(request.GET).qs)   # + one query for every certificate entry
    [product_data(p, base_url=...) for p in queryset]

Fields are stable, machine-readable codes and both names (Vietnamese and English); the current OCOP
rating is the in-force one (docs/ARCHITECTURE.md) and every certificate entry carries its status today.
"""

import datetime

from django.db.models import Prefetch

from certifications.models import CertifiedProduct
from core.validity import status_on

FORMAT_VERSION = 2  # 2: the API's ignored[].parameter is the query parameter's name (1: its label)


def with_open_data(queryset):
    """A ProductFilter's `qs` (or any product queryset with `with_current_stars`) with what
    `product_data` reads: relations in the same query, certificate entries in one more."""
    entries = (
        CertifiedProduct.objects.with_status()
        .select_related("certificate__province", "certificate__former_province")
        .order_by("-certificate__issued_on", "certificate__number", "pk")
    )
    return queryset.select_related(
        "producer__province", "producer__former_province", "category__group"
    ).prefetch_related(Prefetch("entries", queryset=entries))


def _date(value):
    if value is None or value == datetime.date.max:
        return None
    return value.isoformat()


def _place(province):
    if province is None:
        return None
    return {"slug": province.slug, "name": province.name, "name_en": province.name_en}


def rating_data(product):
    stars = getattr(product, "current_stars", None)
    if not stars:
        return None
    until = getattr(product, "current_stars_until", None)
    return {"stars": stars, "valid_until": _date(until), "status": status_on(None, valid_until=until).value}


def certificate_data(entry, *, base_url=""):
    certificate = entry.certificate
    return {
        "kind": entry.kind,
        "number": certificate.number,
        "title": certificate.title,
        "issuer": certificate.issuer,
        "holder": certificate.holder,
        "province": certificate.province.slug if certificate.province_id else None,  # None: a national decision
        "former_province": certificate.former_province.slug if certificate.former_province_id else None,
        "issued_on": _date(certificate.issued_on),
        "valid_until": _date(certificate.valid_until),
        "revoked_on": _date(entry.revoked_on or certificate.revoked_on),
        "stars": entry.stars,
        "status": entry.status_code,
        "url": base_url + certificate.get_absolute_url(),
    }


def product_data(product, *, base_url=""):
    producer = product.producer
    category = product.category
    return {
        "slug": product.slug,
        "name": product.name,
        "name_en": product.name_en,
        "url": base_url + product.get_absolute_url(),
        "group": {"code": category.group.code, "name": category.group.name, "name_en": category.group.name_en},
        "category": {"slug": category.slug, "name": category.name, "name_en": category.name_en},
        "province": _place(producer.province),
        "producer": {
            "slug": producer.slug,
            "name": producer.name,
            "kind": producer.kind,
            "former_province": producer.former_province.slug if producer.former_province_id else None,
            "address": producer.address,
            "phone": producer.phone,
            "email": producer.email,
            "website": producer.website,
            "url": base_url + producer.get_absolute_url(),
        },
        "rating": rating_data(product),
        "certificates": [certificate_data(entry, base_url=base_url) for entry in product.entries.all()],
        "is_synthetic": product.is_synthetic,
        "updated_at": product.updated_at.isoformat(),
    }
