"""What a write to a certificate or an entry touches in the page cache (core/cache.py scopes)."""

from core import cache
from producers.models import Province
from products.cache_scopes import scopes_of_products
from products.models import Product

from .models import Certificate, CertifiedProduct, Renewal


def certificate_scopes(certificate):
    """Its page, the register, its province's page (which lists its titles) and every product carrying it."""
    scopes = {f"certificate:{certificate.pk}", "register"}
    scopes |= scopes_of_products(Product.objects.filter(entries__certificate_id=certificate.pk))
    province = Province.objects.filter(pk=certificate.province_id).values_list("slug", flat=True).first()
    if province:
        scopes.add(f"province:{province}")
    return scopes


def entry_scopes(entry):
    scopes = {f"certificate:{entry.certificate_id}", "register"}
    return scopes | scopes_of_products(Product.objects.filter(pk=entry.product_id))


def register():
    cache.register_scopes(Certificate, certificate_scopes)
    cache.register_scopes(CertifiedProduct, entry_scopes)
    cache.register_scopes(Renewal, lambda renewal: {f"certificate:{renewal.certificate_id}", "register"})
