"""Keep Product.search_text current when a producer or category it folds in is renamed, and make
the thumbnails of a saved photo."""

from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from core.changes import has_changes, remember_changes
from producers.models import Producer, Province

from .images import make_thumbnails
from .models import Category, Product, ProductImage


def refresh_products(products):
    """Recompute the search text of `products` in batches (a category may hold tens of thousands)."""
    products.refresh_derived()


# The fields of each model that products fold into their search text.
SEARCH_TEXT_SOURCES = {
    Producer: ("name", "province_id", "former_province_id"),
    Category: ("name", "name_en"),
    Province: ("name", "name_en"),
}


@receiver(pre_save, sender=Producer, dispatch_uid="products_producer_remember")
@receiver(pre_save, sender=Category, dispatch_uid="products_category_remember")
@receiver(pre_save, sender=Province, dispatch_uid="products_province_remember")
def remember_search_text_sources(sender, instance, raw=False, **kwargs):
    """Saving a category of 30,000 products without renaming it must not touch them (load_demo does)."""
    if not raw:
        remember_changes(instance, SEARCH_TEXT_SOURCES[sender])


@receiver(post_save, sender=Producer, dispatch_uid="products_producer_search_text")
def producer_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and has_changes(instance):
        refresh_products(Product.objects.filter(producer=instance))


@receiver(post_save, sender=Category, dispatch_uid="products_category_search_text")
def category_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and has_changes(instance):
        refresh_products(Product.objects.filter(category=instance))


@receiver(post_save, sender=Product, dispatch_uid="products_product_thumbnails")
@receiver(post_save, sender=ProductImage, dispatch_uid="products_photo_thumbnails")
def make_photo_thumbnails(sender, instance, raw=False, **kwargs):
    if not raw:
        make_thumbnails(instance.image)


@receiver(post_save, sender=Province, dispatch_uid="products_province_search_text")
def province_saved(sender, instance, created, raw=False, **kwargs):
    """Province names (current and former) are folded into search_text: rare, but must not go stale."""
    if not created and not raw and has_changes(instance):
        refresh_products(Product.objects.filter(Q(producer__province=instance) | Q(producer__former_province=instance)))
