"""Enquiry moves from the products app to this one without touching the database.

Only the migration state changes (products 0010 deletes the model from products' state): the tables
keep their names, products_enquiry and products_enquiry_products, and their rows. On a fresh database
products 0008 has created them by the time this runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("producers", "0003_catalogue_cache_table"),
        ("products", "0009_enquiry_staff_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Enquiry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "reference",
                            models.CharField(
                                db_index=True,
                                editable=False,
                                help_text="Chung cho các thư gửi cùng lúc tới nhiều chủ thể.",
                                max_length=16,
                                verbose_name="mã yêu cầu",
                            ),
                        ),
                        ("buyer_name", models.CharField(max_length=100, verbose_name="người liên hệ")),
                        ("organisation", models.CharField(blank=True, max_length=200, verbose_name="đơn vị")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                        ("phone", models.CharField(blank=True, max_length=30, verbose_name="điện thoại")),
                        ("location", models.CharField(max_length=100, verbose_name="tỉnh, thành phố hoặc quốc gia")),
                        ("quantity", models.CharField(blank=True, max_length=200, verbose_name="số lượng dự kiến")),
                        ("message", models.TextField(max_length=3000, verbose_name="nội dung")),
                        (
                            "language",
                            models.CharField(default="vi", editable=False, max_length=8, verbose_name="ngôn ngữ của người mua"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("new", "Mới"),
                                    ("forwarded", "Đã chuyển cho chủ thể"),
                                    ("answered", "Đã trả lời"),
                                    ("closed", "Đã đóng"),
                                ],
                                db_index=True,
                                default="new",
                                max_length=10,
                                verbose_name="tình trạng xử lý",
                            ),
                        ),
                        (
                            "staff_notes",
                            models.TextField(
                                blank=True,
                                help_text="Chỉ cán bộ quản trị thấy; không gửi cho người mua.",
                                verbose_name="ghi chú nội bộ",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="gửi lúc")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                        (
                            "producer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="enquiries",
                                to="producers.producer",
                                verbose_name="chủ thể",
                            ),
                        ),
                        (
                            "products",
                            models.ManyToManyField(
                                blank=True,
                                db_table="products_enquiry_products",
                                related_name="enquiries",
                                to="products.product",
                                verbose_name="sản phẩm quan tâm",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "products_enquiry",
                        "verbose_name": "yêu cầu kết nối thương mại",
                        "verbose_name_plural": "yêu cầu kết nối thương mại",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["producer", "status"], name="enquiry_producer_status")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("email", ""), _negated=True),
                                    models.Q(("phone", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="enquiry_email_or_phone",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["new", "forwarded", "answered", "closed"])),
                                name="enquiry_status_known",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
