"""Keep Product.search_text current when certificates (whose titles it folds in) change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from products.models import Product

from .models import Certificate, CertifiedProduct


def _refresh(products):
    for product in products.select_related("producer__province", "producer__former_province", "category"):
        product.refresh_search_text()


@receiver(post_save, sender=CertifiedProduct, dispatch_uid="entry_saved_search_text")
@receiver(post_delete, sender=CertifiedProduct, dispatch_uid="entry_deleted_search_text")
def entry_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(Product.objects.filter(pk=instance.product_id))


@receiver(post_save, sender=Certificate, dispatch_uid="certificate_saved_search_text")
def certificate_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        _refresh(Product.objects.filter(entries__certificate=instance))
