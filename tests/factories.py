"""Small helpers that make valid rows for tests (no factory library: the models are few)."""

import datetime
import itertools

from certifications.models import Certificate, CertifiedProduct
from core.text import normalise_certificate_number
from producers.models import Producer, Province
from products.models import Category, Product, ProductGroup

_seq = itertools.count(1)


def province(slug="son-la"):
    return Province.objects.get(slug=slug)


def category(name="Chè", group_code=1):
    obj, _ = Category.objects.get_or_create(name=name, defaults={"group": ProductGroup.objects.get(code=group_code)})
    return obj


def producer(name=None, province_slug="son-la", kind=Producer.Kind.COOPERATIVE, **extra):
    return Producer.objects.create(
        name=name or f"HTX Thử nghiệm {next(_seq)}", kind=kind, province=province(province_slug), **extra
    )


def product(name=None, producer_obj=None, category_obj=None, **extra):
    return Product.objects.create(
        name=name or f"Sản phẩm thử {next(_seq)}",
        producer=producer_obj or producer(),
        category=category_obj or category(),
        **extra,
    )


def _free_number(kind, province_obj):
    """The next generated number that no certificate of that kind and province has: tests also write numbers
    by hand ("101/QĐ-UBND"), which the sequence reaches sooner or later depending on the tests run before."""
    while True:
        number = f"{next(_seq)}/QĐ-UBND" if kind == "ocop" else f"{next(_seq):05d}"
        key = normalise_certificate_number(number)
        if not Certificate.objects.filter(kind=kind, province=province_obj, number_key=key).exists():
            return number


def certificate(kind="ocop", issued_on=None, province_slug="son-la", **extra):
    issued_on = issued_on if issued_on is not None or kind != "ocop" else datetime.date(2025, 1, 15)
    province_obj = province(province_slug)
    if "number" not in extra:
        extra["number"] = _free_number(kind, province_obj)
    extra.setdefault("title", "Công nhận sản phẩm OCOP" if kind == "ocop" else "Mộc Châu")
    extra.setdefault("issuer", "UBND tỉnh Sơn La" if kind == "ocop" else "Cục Sở hữu trí tuệ")
    return Certificate.objects.create(kind=kind, issued_on=issued_on, province=province_obj, **extra)


def national_decision(number="2171/QĐ-BNN-VPĐP", **extra):
    """A national OCOP decision (5 stars, no province)."""
    extra.setdefault("title", "Công nhận sản phẩm OCOP 5 sao")
    extra.setdefault("issuer", "Bộ Nông nghiệp và Môi trường")
    extra.setdefault("issued_on", datetime.date(2025, 6, 26))
    return Certificate.objects.create(kind="ocop", level="national", number=number, **extra)


def entry(certificate_obj, product_obj, stars=None, **extra):
    return CertifiedProduct.objects.create(certificate=certificate_obj, product=product_obj, stars=stars, **extra)


def rated_product(stars=4, issued_on=None, valid_until=None, **product_extra):
    """A product on its own OCOP decision with `stars`."""
    p = product(**product_extra)
    cert = certificate("ocop", issued_on=issued_on, valid_until=valid_until)
    entry(cert, p, stars=stars)
    return p
