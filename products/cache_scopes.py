"""What a write to a product touches in the page cache (core/cache.py scopes)."""

from core import cache
from producers.cache_scopes import producer_scopes
from producers.models import Producer

from .models import Product, ProductImage


def scopes_of_products(products):
    """The scopes of the products of the queryset `products`: their pages, their producers' and
    provinces' pages, the certificates they carry (a certificate's page lists its products), and the
    register (the verify page names products)."""
    rows = products.values_list("slug", "producer__slug", "producer__province__slug", "entries__certificate_id")
    scopes = set()
    for slug, producer, province, certificate in rows:
        scopes.update((f"product:{slug}", f"producer:{producer}", f"province:{province}"))
        if certificate:
            scopes.add(f"certificate:{certificate}")
    if scopes:
        scopes.add("register")
    return scopes


def scopes_of_loaded(products):
    """The same for products loaded with their producer and province (no query): their pages, their
    producers', their provinces' and the register."""
    scopes = {"register"}
    for product in products:
        scopes.update(
            (
                f"product:{product.slug}",
                f"producer:{product.producer.slug}",
                f"province:{product.producer.province.slug}",
            )
        )
    return scopes


def product_scopes(product):
    scopes = scopes_of_products(Product.objects.filter(pk=product.pk))
    if not scopes:  # deleted: its row is gone, its producer is not
        scopes = {f"product:{product.slug}", "register"}
        producer = Producer.objects.filter(pk=product.producer_id).first()
        if producer is not None:
            scopes.update(producer_scopes(producer))
    return scopes


def register():
    cache.register_scopes(Product, product_scopes)
    cache.register_scopes(ProductImage, lambda image: scopes_of_products(Product.objects.filter(pk=image.product_id)))
