"""Make clearly marked synthetic catalogue data at scale, for benchmarks and load tests.

Deterministic for a given --seed and starting database. Every row it writes has `is_synthetic=True`
and a name that says "giả lập" (synthetic), so nobody mistakes it for a real record; `--clear`
removes those rows and nothing else. Proportions follow the real register: about 20 products per
producer, every current province and every OCOP group, stars about 74% 3★ / 25% 4★ / 1% 5★, some
expired and revoked entries, and GIs and marks shared by many products. Writes are bulk and atomic.
"""

import datetime
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from tqdm import tqdm

from certifications import copies
from certifications.models import Certificate, CertifiedProduct
from core import validity
from core.cache import one_bump
from core.text import slugify_vietnamese
from core.validity import STAR_LEVELS, CertificateKind
from producers.models import Producer, Province
from products.models import IP_KINDS, Category, Product, ProductGroup

PRODUCTS_PER_PRODUCER = 20
PRODUCTS_PER_DECISION = 40
BATCH = 2000

# Categories per OCOP group; existing ones (from the demo data) are reused by name.
CATEGORIES = {
    1: [
        ("Chè", "Tea"),
        ("Cà phê", "Coffee"),
        ("Gạo", "Rice"),
        ("Mật ong", "Honey"),
        ("Trái cây", "Fruit"),
        ("Nước mắm", "Fish sauce"),
        ("Bánh và bún", "Cakes and noodles"),
        ("Gia vị", "Spices"),
    ],
    2: [("Rượu", "Spirits"), ("Nước ép", "Juices")],
    3: [("Dược liệu", "Herbal materials"), ("Tinh dầu", "Essential oils")],
    4: [("Đồ thủ công", "Handicrafts"), ("Mây tre đan", "Bamboo and rattan")],
    5: [("Hoa lan", "Orchids"), ("Cây cảnh", "Ornamental plants")],
    6: [("Du lịch cộng đồng", "Community tourism")],
}
ADJECTIVES = [
    "Thượng hạng",
    "Hữu cơ",
    "Truyền thống",
    "Đặc biệt",
    "Vùng cao",
    "Sạch",
    "Xanh",
    "Quê hương",
    "Bản Mường",
    "Sông Đà",
    "Đồng Xanh",
    "Hương Rừng",
    "Phố Núi",
    "Miền Tây",
    "Tây Bắc",
]
PRODUCER_WORDS = [
    "Bình Minh",
    "Thành Công",
    "Hòa Bình",
    "Đồng Tâm",
    "Phú Quý",
    "An Khang",
    "Tân Tiến",
    "Hưng Thịnh",
    "Nông sản Xanh",
    "Quyết Thắng",
    "Đại Phát",
    "Thịnh Vượng",
    "Hợp Lực",
]
KIND_WEIGHTS = [
    (Producer.Kind.COOPERATIVE, 32),
    (Producer.Kind.ENTERPRISE, 22),
    (Producer.Kind.HOUSEHOLD, 39),
    (Producer.Kind.COOPERATIVE_GROUP, 7),
]
KIND_PREFIX = {
    Producer.Kind.COOPERATIVE: "HTX",
    Producer.Kind.ENTERPRISE: "Công ty TNHH",
    Producer.Kind.HOUSEHOLD: "Hộ kinh doanh",
    Producer.Kind.COOPERATIVE_GROUP: "Tổ hợp tác",
}
SYNTHETIC = "giả lập"


def _entry(certificate, stars=None, revoked_on=None):
    """What the derived copies read of an entry on `certificate` (see certifications/copies.py)."""
    return copies.Entry(
        kind=certificate.kind,
        stars=stars,
        valid_until=certificate.valid_until,
        revoked_on=revoked_on,
        certificate_revoked_on=certificate.revoked_on,
        title=certificate.title,
    )


class Command(BaseCommand):
    help = "Generate synthetic (clearly marked) producers, products and certificates; --clear removes them."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0, help="How many synthetic products to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same data).")
        parser.add_argument("--clear", action="store_true", help="Remove every synthetic row first.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, products, seed, clear, no_progress, **options):
        if products < 0:
            raise CommandError("--products must be 0 or more.")
        if not clear and not products:
            raise CommandError("Nothing to do: give --products N and/or --clear.")
        self.progress = not no_progress and options["verbosity"] > 0
        # One bump of the whole catalogue per run, at its commit: the rows saved one by one (certificates,
        # entries) would each register their own, a write to the shared cache apiece (a million of them
        # at 1,000,000 products with the database cache), all saying that the catalogue changed.
        if clear:
            with one_bump():
                removed = self.clear()
            self.stdout.write(f"Removed {removed} synthetic products and their producers and certificates.")
        if products:
            with transaction.atomic(), one_bump():
                made = self.generate(products, random.Random(seed))
            summary = ", ".join(f"{n} {what}" for what, n in made.items())
            self.stdout.write(self.style.SUCCESS(f"Synthetic data added: {summary}."))

    # -- removal ------------------------------------------------------------------------------
    @transaction.atomic
    def clear(self):
        try:
            CertifiedProduct.objects.filter(certificate__is_synthetic=True)._raw_delete("default")
            CertifiedProduct.objects.filter(product__is_synthetic=True)._raw_delete("default")
            Certificate.objects.filter(is_synthetic=True)._raw_delete("default")
            count = Product.objects.filter(is_synthetic=True).count()
            Product.objects.filter(is_synthetic=True)._raw_delete("default")
            Producer.objects.filter(is_synthetic=True)._raw_delete("default")
        except IntegrityError as exc:
            raise CommandError(f"Real records point at synthetic ones; nothing was removed ({exc}).") from exc
        return count

    # -- generation ---------------------------------------------------------------------------
    def generate(self, n_products, rng):
        today = validity.today()
        provinces = list(Province.objects.current())
        categories = self.categories()
        offset = Product.objects.filter(is_synthetic=True).count()
        n_producers = max(1, round(n_products / PRODUCTS_PER_PRODUCER))
        bar = tqdm(total=n_products * 2 + n_producers, disable=not self.progress, unit="row", desc="seed_synthetic")

        producer_offset = Producer.objects.filter(is_synthetic=True).count()
        producers = []
        for i in range(n_producers):
            number = producer_offset + i + 1
            kind = rng.choices([k for k, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]
            province = provinces[i % len(provinces)]
            name = f"{KIND_PREFIX[kind]} {rng.choice(PRODUCER_WORDS)} {SYNTHETIC} {number:06d}"
            producers.append(
                Producer(
                    name=name,
                    slug=slugify_vietnamese(name),
                    kind=kind,
                    province=province,
                    address=f"Xã {rng.choice(PRODUCER_WORDS)}, {province.name} ({SYNTHETIC})",
                    phone=f"0{rng.randint(200, 299)}{rng.randint(1000000, 9999999)}",
                    description=f"Chủ thể {SYNTHETIC} dùng để đo hiệu năng, không phải dữ liệu thật.",
                    is_synthetic=True,
                )
            )
        Producer.objects.bulk_create(producers, batch_size=BATCH)
        producers = list(
            Producer.objects.filter(is_synthetic=True).select_related("province").order_by("-pk")[:n_producers]
        )
        producers.reverse()
        bar.update(n_producers)

        # Shared GIs and marks: one per (province, category) pair that gets used, created lazily.
        ip_titles = {}
        decisions = {}  # (province, state) -> (OCOP decision, room left on it)
        products, pending_entries = [], []
        for i in range(n_products):
            number = offset + i + 1
            producer = producers[i // PRODUCTS_PER_PRODUCER % len(producers)]
            # Cycle through the groups for the first rows so that even a small run has all six.
            group = i + 1 if i < 6 else self.pick_group(rng)
            category = rng.choice(categories[group])
            name = f"{category.name} {rng.choice(ADJECTIVES)} {producer.province.name} – {SYNTHETIC} {number:06d}"
            stars = rng.choices(STAR_LEVELS, weights=[74, 25, 1])[0]
            fate = rng.random()
            state = "expired" if fate < 0.06 else "revoked" if fate < 0.08 else "current"
            decision = self.decision(decisions, producer.province, rng, today, state)
            entry_revoked = today - datetime.timedelta(days=5) if 0.08 <= fate < 0.09 else None
            entries = [_entry(decision, stars=stars, revoked_on=entry_revoked)]
            ip = None
            if rng.random() < 0.25:
                ip = self.ip_title(ip_titles, producer.province, category, rng, today)
                entries.append(_entry(ip))
            product = Product(
                name=name,
                slug=slugify_vietnamese(name),
                producer=producer,
                category=category,
                description=f"Sản phẩm {SYNTHETIC} dùng để đo hiệu năng, không phải dữ liệu thật.",
                is_synthetic=True,
            )
            # Bulk writes skip the signals: the derived copies come from the functions the signals use.
            for field, value in copies.derived_values(name, copies.product_texts(product), entries).items():
                setattr(product, field, value)
            products.append(product)
            pending_entries.append((product, stars, decision, entry_revoked, ip))
            if len(products) >= BATCH:
                self.flush(products, pending_entries)
                bar.update(2 * len(products))
                products, pending_entries = [], []
        if products:
            self.flush(products, pending_entries)
            bar.update(2 * len(products))
        bar.close()
        return {
            "producers": n_producers,
            "products": n_products,
            "certificates": Certificate.objects.filter(is_synthetic=True).count(),
            "entries": CertifiedProduct.objects.filter(product__is_synthetic=True).count(),
        }

    def next_serial(self):
        if not hasattr(self, "_serial"):
            self._serial = Certificate.objects.filter(is_synthetic=True).count()
        self._serial += 1
        return self._serial

    @staticmethod
    def pick_group(rng):
        # Most OCOP products are food; every group still appears.
        return rng.choices([1, 2, 3, 4, 5, 6], weights=[68, 10, 10, 7, 3, 2])[0]

    def categories(self):
        result = {}
        for code, names in CATEGORIES.items():
            group = ProductGroup.objects.get(code=code)
            result[code] = []
            for name, name_en in names:
                category = Category.objects.filter(name=name).first()
                if category is None:
                    category = Category.objects.create(name=name, name_en=name_en, group=group)
                result[code].append(category)
        return result

    def ip_title(self, cache, province, category, rng, today):
        key = (province.pk, category.pk)
        if key not in cache:
            kind = rng.choices(IP_KINDS, weights=[30, 50, 20])[0]
            issued = today - datetime.timedelta(days=rng.randint(200, 4000))
            # A mark's term runs from its filing date (some months before the grant); a GI has none.
            filed = issued - datetime.timedelta(days=rng.randint(180, 720)) if kind in validity.MARK_KINDS else None
            title = f"{category.name} {province.name} ({SYNTHETIC})"
            serial = self.next_serial()
            cache[key] = Certificate.objects.create(
                kind=kind,
                number=f"GL-{serial:06d}",
                title=title,
                product_name=category.name,
                issuer="Cục Sở hữu trí tuệ",
                holder=f"Tổ chức quản lý {SYNTHETIC}",
                province=province,
                filed_on=filed,
                issued_on=issued,  # valid_until: the kind's default term (Certificate.apply_defaults)
                notes=f"Văn bản {SYNTHETIC}, không phải dữ liệu thật.",
                is_synthetic=True,
            )
        return cache[key]

    def decision(self, decisions, province, rng, today, state):
        """An OCOP decision of `province` with room left; `state` picks a current, expired or revoked one."""
        key = (province.pk, state)
        cert, room = decisions.get(key, (None, 0))
        if cert is None or room <= 0:
            serial = self.next_serial()
            if state == "expired":
                issued = today - datetime.timedelta(days=rng.randint(1100, 1800))
            else:
                issued = today - datetime.timedelta(days=rng.randint(10, 1000))
            cert = Certificate.objects.create(
                kind=CertificateKind.OCOP,
                number=f"{serial}/QĐ-UBND-GL",
                title=f"Công nhận sản phẩm OCOP tỉnh {province.name} ({SYNTHETIC})",
                issuer=f"UBND {province.name}",
                province=province,
                issued_on=issued,
                revoked_on=today - datetime.timedelta(days=rng.randint(1, 60)) if state == "revoked" else None,
                revocation_reason="Thu hồi (giả lập)" if state == "revoked" else "",
                notes=f"Văn bản {SYNTHETIC}, không phải dữ liệu thật.",
                is_synthetic=True,
            )
            room = PRODUCTS_PER_DECISION
        decisions[key] = (cert, room - 1)
        return cert

    def flush(self, products, pending):
        Product.objects.bulk_create(products, batch_size=BATCH)
        slugs = [p.slug for p in products]
        ids = dict(Product.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        entries = []
        for product, stars, cert, entry_revoked, ip in pending:
            pk = ids[product.slug]
            entries.append(
                CertifiedProduct(
                    certificate=cert, product_id=pk, kind=CertificateKind.OCOP, stars=stars, revoked_on=entry_revoked
                )
            )
            if ip is not None:
                entries.append(CertifiedProduct(certificate=ip, product_id=pk, kind=ip.kind))
        CertifiedProduct.objects.bulk_create(entries, batch_size=BATCH)
