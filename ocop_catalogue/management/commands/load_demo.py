"""Load the real demo data of fixtures/demo.json. Idempotent.

Every record carries its source; facts the sources do not give stay blank. Running it twice leaves the
same rows: records are matched by slug (categories, producers, products), by kind + province + number
or title (certificates) and by certificate + product (entries). A record that already holds the demo's
values is not saved again: saving a category, producer or certificate refreshes every product under it
(signals), which took 5 minutes at 100,000 synthetic products, and each save would add a history entry.
"""

import datetime
import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from certifications.models import Certificate, CertifiedProduct
from core import validity
from producers.models import Producer, Province
from products.models import Category, Product, ProductGroup

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Load the real demo data (GIs, marks, OCOP decisions, producers, products). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEMO_FILE), help="JSON file to load (default: %(default)s)")
        parser.add_argument("--dry-run", action="store_true", help="Validate and roll back.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            with transaction.atomic():
                counts = self.load(data)
                if dry_run:
                    transaction.set_rollback(True)
        except (KeyError, Province.DoesNotExist, ProductGroup.DoesNotExist) as exc:
            raise CommandError(f"{path}: unknown or missing reference {exc}") from exc
        if options["verbosity"]:
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            prefix = "Would load" if dry_run else "Demo data loaded"
            self.stdout.write(self.style.SUCCESS(f"{prefix}: {summary}."))

    def load(self, data):
        provinces = {p.slug: p for p in Province.objects.all()}
        groups = {g.code: g for g in ProductGroup.objects.all()}
        counts = Counter()

        categories = {}
        for row in data["categories"]:
            categories[row["slug"]] = _upsert(
                Category,
                {"slug": row["slug"]},
                {"name": row["name"], "name_en": row.get("name_en", ""), "group": groups[row["group"]]},
            )
            counts["categories"] += 1

        producers = {}
        for row in data["producers"]:
            former = row.get("former_province")
            producers[row["slug"]] = _upsert(
                Producer,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "kind": row["kind"],
                    "province": provinces[row["province"]],
                    "former_province": provinces[former] if former else None,
                    **{k: row.get(k) or "" for k in ("address", "phone", "email", "website", "description")},
                    "source_url": _url(row.get("source_url")),
                },
            )
            counts["producers"] += 1

        products = {}
        for row in data["products"]:
            products[row["slug"]] = _upsert(
                Product,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "name_en": row.get("name_en", ""),
                    "producer": producers[row["producer"]],
                    "category": categories[row["category"]],
                    "description": row.get("description", ""),
                    "source_url": _url(row.get("source_url")),
                    "is_published": row.get("is_published", True),
                },
            )
            counts["products"] += 1

        for row in data["certificates"]:
            certificate = self.load_certificate(row, provinces)
            counts[f"certificates ({row['kind']})"] += 1
            for entry in row.get("entries", []):
                _upsert(
                    CertifiedProduct,
                    {"certificate": certificate, "product": products[entry["product"]]},
                    {
                        "stars": entry.get("stars"),
                        "right_of_use_number": entry.get("right_of_use_number") or "",
                        "right_of_use_date": _date(entry.get("right_of_use_date")),
                        "notes": entry.get("notes") or "",
                    },
                )
                counts["entries"] += 1
        return counts

    def load_certificate(self, row, provinces):
        former = row.get("former_province")
        province = provinces[row["province"]]
        lookup = {"kind": row["kind"], "province": province}
        if row.get("number"):
            lookup["number"] = row["number"]
        else:
            lookup.update(number="", title=row["title"], product_name=row.get("product_name") or "")
        issued_on = _date(row.get("issued_on"))
        certificate = Certificate.objects.filter(**lookup).first() or Certificate(**lookup)
        fields = {
            "title": row["title"],
            "product_name": row.get("product_name") or "",
            "issuer": row.get("issuer") or "",
            "decision": row.get("decision") or "",
            "holder": row.get("holder") or "",
            "former_province": provinces[former] if former else None,
            "issued_on": issued_on,
            "issued_year": row.get("issued_year") or (issued_on.year if issued_on else None),
            # Blank in the source: the default term, which save() would fill in anyway.
            "valid_until": _date(row.get("valid_until")) or validity.default_valid_until(row["kind"], issued_on),
            "revoked_on": _date(row.get("revoked_on")),
            "source_url": _url(row.get("source_url")),
            "notes": row.get("notes") or "",
        }
        if certificate.pk is not None and not _differences(certificate, fields):
            return certificate
        for name, value in fields.items():
            setattr(certificate, name, value)
        certificate.full_clean()
        certificate.save()
        return certificate


def _differences(obj, values):
    """The names in `values` whose value `obj` does not hold (foreign keys compared by id, without a query)."""
    differ = []
    for name, value in values.items():
        if isinstance(value, models.Model) or (value is None and obj._meta.get_field(name).is_relation):
            held, value = getattr(obj, f"{name}_id"), getattr(value, "pk", None)
        else:
            held = getattr(obj, name)
        if held != value:
            differ.append(name)
    return differ


def _upsert(model, lookup, values):
    """update_or_create that leaves a row already holding `values` alone (no save, no signals, no history)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = _differences(obj, values)
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def _url(value):
    """Only real URLs go in URLField; a bare site name stays in notes or descriptions."""
    value = (value or "").strip()
    return value if value.startswith(("http://", "https://")) else ""
