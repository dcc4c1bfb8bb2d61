"""Products: slugs, search text kept current, protection from deletion."""

import pytest
from django.db import IntegrityError, connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from certifications import copies
from producers.models import Producer
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_slugs_are_unique_and_keep_d_as_d():
    a = f.product(name="Đường hoa dừa")
    b = f.product(name="Đường hoa dừa")
    assert a.slug == "duong-hoa-dua"
    assert b.slug == "duong-hoa-dua-2"
    producer_a = f.producer(name="HTX Đồng Tâm")
    producer_b = f.producer(name="HTX Đồng Tâm")
    assert (producer_a.slug, producer_b.slug) == ("htx-dong-tam", "htx-dong-tam-2")


def test_database_refuses_a_duplicate_slug():
    a = f.product(name="Mật ong")
    with pytest.raises(IntegrityError):
        Product.objects.filter(pk=f.product(name="Mật ong bạc hà").pk).update(slug=a.slug)


def test_search_text_folds_name_category_producer_province_and_certificate_titles():
    product = f.product(
        name="Chè Shan tuyết",
        producer_obj=f.producer(name="Công ty Cổ phần Chè Mộc Châu", province_slug="son-la"),
        category_obj=f.category("Chè"),
    )
    assert product.search_text == "che shan tuyet che cong ty co phan che moc chau son la son la"
    gi = f.certificate("gi", title="Mộc Châu Đặc Biệt")
    f.entry(gi, product)
    product.refresh_from_db()
    assert "moc chau dac biet" in product.search_text


def test_search_text_follows_renames_of_producer_category_and_certificate():
    product = f.product(name="Xoài tròn")
    producer = product.producer
    producer.name = "HTX Xoài Yên Châu"
    producer.save()
    category = product.category
    category.name = "Trái cây tươi"
    category.save()
    cert = f.certificate("gi", title="Yên Châu")
    f.entry(cert, product)
    cert.title = "Yên Châu Đặc Biệt"
    cert.save()
    product.refresh_from_db()
    for word in ("htx xoai yen chau", "trai cay tuoi", "yen chau dac biet"):
        assert word in product.search_text
    cert.entries.all().delete()
    product.refresh_from_db()
    assert "dac biet" not in product.search_text


def test_saving_without_a_change_leaves_the_products_alone():
    """load_demo saves every category and certificate again: that must not touch 100,000 products."""
    category = f.category("Chè")
    producer = f.producer()
    cert = f.certificate("gi", title="Mộc Châu")
    for i in range(20):
        f.entry(cert, f.product(name=f"Chè {i}", producer_obj=producer, category_obj=category))
    for obj in (category, producer, producer.province, cert):
        with CaptureQueriesContext(connection) as queries:
            obj.save()
        written = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and '"products_product"' in q["sql"]]
        assert not written, (obj, written)
        # The save, its history row, and (core/cache.py) reading which cached pages show the row.
        assert len(queries) <= 6, (obj, [q["sql"] for q in queries])


def test_a_change_through_update_or_create_still_refreshes():
    product = f.product(name="Mật ong")
    Category = type(product.category)
    Category.objects.update_or_create(pk=product.category.pk, defaults={"name": "Mật ong rừng"})
    product.refresh_from_db()
    assert "mat ong rung" in product.search_text


def test_search_matches_unaccented_partial_words():
    f.product(name="Chè Shan tuyết Mộc Châu")
    f.product(name="Cà phê Arabica")
    assert [p.name for p in Product.objects.search("shan TUYET")] == ["Chè Shan tuyết Mộc Châu"]
    assert [p.name for p in Product.objects.search("cà phe arab")] == ["Cà phê Arabica"]
    assert Product.objects.search("").count() == 2


def test_producer_and_product_on_a_certificate_are_protected():
    product = f.product()
    f.entry(f.certificate("gi"), product)
    with pytest.raises(ProtectedError):
        product.delete()
    with pytest.raises(ProtectedError):
        Producer.objects.get(pk=product.producer_id).delete()


def test_a_rename_refreshes_many_products_in_batches(monkeypatch):
    """Renaming a category of tens of thousands of products must fit in a request: a few queries per
    batch of products, not three per product."""
    monkeypatch.setattr(copies, "REFRESH_BATCH", 5)
    category = f.category("Chè")
    cert = f.certificate("gi", title="Tân Cương")
    products = [f.product(name=f"Chè {i}", category_obj=category) for i in range(23)]
    for product in products[::4]:
        f.entry(cert, product)
    category.name = "Chè búp Tân Cương"
    with CaptureQueriesContext(connection) as queries:
        category.save()
    batches = 5  # 23 products, 5 a batch
    # Count how many (background or not), read ids; per batch: entries, products, update.
    assert len(queries) <= 5 + 3 * batches, len(queries)
    for product in Product.objects.filter(pk__in=[p.pk for p in products]):
        assert "che bup tan cuong" in product.search_text
    for product in Product.objects.filter(pk__in=[p.pk for p in products[::4]]):
        assert "tan cuong" in product.search_text.split("che bup tan cuong", 1)[1]
        assert product.gi_until is not None
