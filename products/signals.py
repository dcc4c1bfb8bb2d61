"""Make the thumbnails of a saved product photo.

The derived fields of products (search text, rating copy) are kept current by the certifications
app, which sees the certificates: certifications/copies.py and certifications/signals.py.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .images import make_thumbnails
from .models import Product, ProductImage


@receiver(post_save, sender=Product, dispatch_uid="products_product_thumbnails")
@receiver(post_save, sender=ProductImage, dispatch_uid="products_photo_thumbnails")
def make_photo_thumbnails(sender, instance, raw=False, **kwargs):
    if not raw:
        make_thumbnails(instance.image)
