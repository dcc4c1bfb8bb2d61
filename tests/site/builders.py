"""Catalogues of a chosen size for view and query-count tests, built with tests.factories.

Dates are relative to today, so a test never depends on the day it runs.
"""

import datetime
import io

from django.core.files.base import ContentFile
from PIL import Image

from core.validity import today
from products.models import ProductImage
from tests import factories as f


def jpeg(width=800, height=600, colour=(40, 120, 60)) -> ContentFile:
    """A real JPEG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def add_photos(product, count):
    for i in range(count):
        photo = ProductImage(product=product, alt_text=f"Ảnh {i + 1}", position=i)
        photo.image.save(f"photo-{i}.jpg", jpeg(colour=(20 * i % 255, 120, 60)), save=True)


def catalogue(size, *, provinces=("son-la", "tuyen-quang"), photos=False):
    """`size` published products in each province, rated 3–5 stars on one in-force OCOP decision per
    province, every other product also on the province's GI; one producer per three products.
    Returns {province slug: [products]}."""
    issued = today() - datetime.timedelta(days=100)
    made = {}
    for slug in provinces:
        decision = f.certificate("ocop", issued_on=issued, province_slug=slug)
        gi = f.certificate("gi", province_slug=slug, title=f"Chỉ dẫn {slug}")
        products, producer = [], None
        for i in range(size):
            if i % 3 == 0:
                kind = ("cooperative", "enterprise", "household")[i // 3 % 3]
                producer = f.producer(province_slug=slug, kind=kind)
            category = f.category(("Chè", "Mật ong", "Gạo")[i % 3], group_code=1)
            product = f.product(producer_obj=producer, category_obj=category)
            f.entry(decision, product, stars=3 + i % 3)
            if i % 2 == 0:
                f.entry(gi, product)
            if photos:
                product.image.save("main.jpg", jpeg(), save=True)
            products.append(product)
        made[slug] = products
    return made
