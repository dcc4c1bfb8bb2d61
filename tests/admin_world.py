"""A small two-province world for the back-office tests: Sơn La and Quảng Ninh, each with a producer,
a product (with a photo), an OCOP decision listing it, and a staff member; plus a superuser and a
national staff member. Names carry no province name, so a page that leaks another province's record
shows it by that record's own name.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certifications.models import Certificate, CertifiedProduct
from core.admin.scoping import NATIONAL_STAFF_GROUP, PROVINCIAL_STAFF_GROUP
from producers.models import Producer, Province, StaffProvince
from products.models import Category, Product, ProductGroup, ProductImage

PASSWORD = "Mật-khẩu-thử-nghiệm-2025"  # test-only


@dataclass
class ProvinceSet:
    province: Province
    producer: Producer
    product: Product
    photo: ProductImage
    certificate: Certificate
    entry: CertifiedProduct
    staff: object
    objects: dict = field(default_factory=dict)


@dataclass
class World:
    sl: ProvinceSet
    qn: ProvinceSet
    superuser: object
    national: object
    category: Category

    def staff(self, who):
        return {"sl": self.sl.staff, "qn": self.qn.staff, "super": self.superuser, "national": self.national}[who]


def png_bytes(width=8, height=8, color=(200, 30, 30), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def photo_upload(name="anh.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def staff_user(username, *, provinces=(), group=PROVINCIAL_STAFF_GROUP, email="", password=None):
    """A staff account; without `password` it cannot log in by form (tests use force_login; hashing is slow)."""
    user = get_user_model().objects.create_user(username, email=email or f"{username}@example.org", password=password)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    for slug in provinces:
        StaffProvince.objects.create(user=user, province=Province.objects.get(slug=slug))
    return user


def _province_set(slug, letter, number, category, staff):
    province = Province.objects.get(slug=slug)
    producer = Producer.objects.create(name=f"HTX {letter}", kind=Producer.Kind.COOPERATIVE, province=province)
    product = Product.objects.create(name=f"Sản phẩm {letter}", producer=producer, category=category)
    photo = ProductImage.objects.create(product=product, image=photo_upload(), alt_text=f"Ảnh {letter}")
    certificate = Certificate.objects.create(
        kind="ocop",
        number=number,
        title=f"Quyết định {letter}",
        issuer=f"UBND {letter}",
        province=province,
        issued_on=datetime.date(2025, 3, 1),
    )
    entry = CertifiedProduct.objects.create(certificate=certificate, product=product, stars=4)
    return ProvinceSet(province, producer, product, photo, certificate, entry, staff)


def build_world():
    category = Category.objects.create(name="Chè thử", group=ProductGroup.objects.get(code=1))
    sl_staff = staff_user("nv_sonla", provinces=["son-la"])
    qn_staff = staff_user("nv_quangninh", provinces=["quang-ninh"])
    national = staff_user("nv_trunguong", group=NATIONAL_STAFF_GROUP)
    superuser = get_user_model().objects.create_superuser("quantri", "quantri@example.org", None)
    return World(
        sl=_province_set("son-la", "Alpha", "101/QĐ-UBND", category, sl_staff),
        qn=_province_set("quang-ninh", "Beta", "202/QĐ-UBND", category, qn_staff),
        superuser=superuser,
        national=national,
        category=category,
    )
