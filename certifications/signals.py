"""Every trigger of the products' derived copies (certifications/copies.py), connected in one place.

Saving a product, an entry or a certificate, and renaming what a product folds into its search text
(its category, producer or province) all call `refresh_products`. Revocations (services.revoke) and
imports save their rows one by one, so they come through here too. Products cannot see this app: the
receivers for their models are connected here, where both are known.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from core.changes import has_changes, remember_changes
from producers.models import Producer, Province
from products.models import Category, Product

from .copies import refresh_products
from .models import Certificate, CertifiedProduct, Renewal
from .tasks import refresh_now_or_later

# What products take from a certificate: titles into search_text, validity into the rating copy
# (Certificate.save copies its kind onto its entries with update(), which sends no signal: hence "kind").
# "issued_on" orders decisions: a later one supersedes an earlier one from its signing day.
CERTIFICATE_SOURCES = ("title", "former_province_id", "valid_until", "revoked_on", "kind", "issued_on")
# The fields of each model that products fold into their search text.
SEARCH_TEXT_SOURCES = {
    Producer: ("name", "province_id", "former_province_id"),
    Category: ("name", "name_en"),
    Province: ("name", "name_en", "aliases"),
}


@receiver(pre_save, sender=Product, dispatch_uid="copies_product_saving")
def product_saving(sender, instance, raw=False, **kwargs):
    """Recomputed on every save (Product.save adds the fields to update_fields)."""
    if not raw:
        refresh_products([instance], lock=False)


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
        refresh_products(Product.objects.filter(pk__in=ids), lock=True)


@receiver(pre_save, sender=Certificate, dispatch_uid="certificate_remember_changes")
def certificate_remember(sender, instance, raw=False, **kwargs):
    if not raw:
        remember_changes(instance, CERTIFICATE_SOURCES)


@receiver(post_save, sender=Certificate, dispatch_uid="certificate_saved_refresh_products")
def certificate_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and has_changes(instance):
        refresh_products(Product.objects.filter(entries__certificate=instance), lock=True)


@receiver(pre_save, sender=Producer, dispatch_uid="products_producer_remember")
@receiver(pre_save, sender=Category, dispatch_uid="products_category_remember")
@receiver(pre_save, sender=Province, dispatch_uid="products_province_remember")
def remember_search_text_sources(sender, instance, raw=False, **kwargs):
    """Saving a category of 30,000 products without renaming it must not touch them (load_demo does)."""
    if not raw:
        remember_changes(instance, SEARCH_TEXT_SOURCES[sender])


# Renames: many products may follow one row (a category of 100,000), so past a threshold the work goes
# to the background worker (tasks.py) rather than holding the request.
@receiver(post_save, sender=Producer, dispatch_uid="products_producer_search_text")
def producer_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and has_changes(instance):
        instance._copies_enqueued = refresh_now_or_later("producer", instance.pk)


@receiver(post_save, sender=Category, dispatch_uid="products_category_search_text")
def category_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and has_changes(instance):
        instance._copies_enqueued = refresh_now_or_later("category", instance.pk)


@receiver(post_save, sender=Province, dispatch_uid="products_province_search_text")
def province_saved(sender, instance, created, raw=False, **kwargs):
    """Province names (current and former) are folded into search_text: rare, but must not go stale."""
    if not created and not raw and has_changes(instance):
        instance._copies_enqueued = refresh_now_or_later("province", instance.pk)


@receiver(post_save, sender=Renewal, dispatch_uid="renewal_saved_recompute_term")
@receiver(post_delete, sender=Renewal, dispatch_uid="renewal_deleted_recompute_term")
def renewal_changed(sender, instance, raw=False, **kwargs):
    """A mark's term is the latest of ten years from filing and its renewals: recompute it (the
    certificate's save then refreshes its products)."""
    if raw:
        return
    certificate = Certificate.objects.filter(pk=instance.certificate_id).first()
    if certificate is not None:
        certificate.save()
