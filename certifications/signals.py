"""Keep each product's derived fields current when its certificates change.

Product.search_text folds in certificate titles, and the stored OCOP rating copy (ocop_until_<n>)
depends on entries' stars and revocations and on certificates' validity and revocation.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from core.changes import has_changes, remember_changes
from products.models import Product

from .models import Certificate, CertifiedProduct

# What products take from a certificate: titles into search_text, validity into the rating copy.
DERIVED_SOURCES = ("title", "former_province_id", "valid_until", "revoked_on", "kind")


def refresh_products(products):
    """Recompute derived fields of `products` (a queryset); for code that writes with update().

    The products' rows are locked first (in primary-key order, so that two writers cannot deadlock):
    two staff members adding entries to one product at the same moment would otherwise each compute
    the copy without the other's uncommitted entry, and the last to commit would lose the first's.
    With the lock the second waits, then reads the first's committed entry (READ COMMITTED).
    """
    with transaction.atomic():
        ids = list(products.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        Product.objects.filter(pk__in=ids).refresh_derived()


@receiver(pre_save, sender=CertifiedProduct, dispatch_uid="entry_remember_product")
def entry_remember_product(sender, instance, raw=False, **kwargs):
    """An entry moved to another product must refresh the product it leaves too."""
    if not raw and instance.pk:
        instance._previous_product_id = (
            CertifiedProduct.objects.filter(pk=instance.pk).values_list("product_id", flat=True).first()
        )


@receiver(post_save, sender=CertifiedProduct, dispatch_uid="entry_saved_refresh_product")
@receiver(post_delete, sender=CertifiedProduct, dispatch_uid="entry_deleted_refresh_product")
def entry_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        ids = {instance.product_id, getattr(instance, "_previous_product_id", None)} - {None}
        refresh_products(Product.objects.filter(pk__in=ids))


@receiver(pre_save, sender=Certificate, dispatch_uid="certificate_remember_changes")
def certificate_remember(sender, instance, raw=False, **kwargs):
    if not raw:
        remember_changes(instance, DERIVED_SOURCES)


@receiver(post_save, sender=Certificate, dispatch_uid="certificate_saved_refresh_products")
def certificate_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and has_changes(instance):
        refresh_products(Product.objects.filter(entries__certificate=instance))
