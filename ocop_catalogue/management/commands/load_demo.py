"""Load the real demo data of fixtures/demo.json. Idempotent.

Every record carries its source; facts the sources do not give stay blank. Running it twice leaves the
same rows: records are matched by slug (categories, producers, products), by kind + province + number
or title (certificates) and by certificate + product (entries). A record that already holds the demo's
values is not saved again: saving a category, producer or certificate refreshes every product under it
(signals), which took 5 minutes at 100,000 synthetic products, and each save would add a history entry.
"""

import datetime
import decimal
import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from certifications import copies
from certifications.models import Certificate, CertifiedProduct
from core import cache as catalogue_cache
from core import validity
from producers.models import Producer, Province, ReportedFigure, TradeProgramme
from products.models import Category, Product, ProductGroup

DEMO_FILES = [
    Path(settings.BASE_DIR) / "fixtures" / "demo.json",
    # OCOP rating decisions (national 5★ and provincial), reported figures and trade programmes, made from
    # the simpler "decisions" format by scripts/decisions_to_fixture.py.
    Path(settings.BASE_DIR) / "fixtures" / "ocop_decisions.json",
]


def _score(value):
    """A score as the database keeps it (two decimals), so that an unchanged one is not written again."""
    return None if value is None else decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))


def _date(value):
    """An ISO date, or None (also for a partial date such as "2019", which a source may give)."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class Command(BaseCommand):
    help = "Load the real demo data (GIs, marks, OCOP decisions, producers, products). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", action="append", help="JSON file to load, may be repeated (default: the two demo files)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and roll back.")

    def handle(self, *args, file, dry_run, **options):
        paths = [Path(name) for name in file] if file else DEMO_FILES
        datasets = []
        for path in paths:
            try:
                datasets.append((path, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
        counts = Counter()
        try:
            with transaction.atomic():
                with catalogue_cache.one_bump(), copies.deferred_refresh():
                    for path, data in datasets:
                        current = path
                        counts.update(self.load(data))
                if dry_run:
                    transaction.set_rollback(True)
        except (KeyError, Province.DoesNotExist, ProductGroup.DoesNotExist) as exc:
            raise CommandError(f"{current}: unknown or missing reference {exc}") from exc
        if options["verbosity"]:
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            prefix = "Would load" if dry_run else "Demo data loaded"
            self.stdout.write(self.style.SUCCESS(f"{prefix}: {summary}."))

    def load(self, data):
        provinces = {p.slug: p for p in Province.objects.all()}
        groups = {g.code: g for g in ProductGroup.objects.all()}
        counts = Counter()

        categories = {c.slug: c for c in Category.objects.all()}
        for row in data.get("categories", []):
            categories[row["slug"]] = _upsert(
                Category,
                {"slug": row["slug"]},
                {"name": row["name"], "name_en": row.get("name_en", ""), "group": groups[row["group"]]},
            )
            counts["categories"] += 1

        producers = {p.slug: p for p in Producer.objects.all()}
        for row in data.get("producers", []):
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

        products = {p.slug: p for p in Product.objects.all()}
        for row in data.get("products", []):
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

        for row in data.get("certificates", []):
            certificate = self.load_certificate(row, provinces)
            counts[f"certificates ({row['kind']})"] += 1
            for entry in row.get("entries", []):
                _upsert(
                    CertifiedProduct,
                    {"certificate": certificate, "product": products[entry["product"]]},
                    {
                        "stars": entry.get("stars"),
                        "score": _score(entry.get("score")),
                        "right_of_use_number": entry.get("right_of_use_number") or "",
                        "right_of_use_date": _date(entry.get("right_of_use_date")),
                        "notes": entry.get("notes") or "",
                    },
                )
                counts["entries"] += 1
        counts.update(load_figures(data.get("figures", []), provinces))
        counts.update(load_programmes(data.get("programmes", []), provinces))
        return counts

    def load_certificate(self, row, provinces):
        former = row.get("former_province")
        province = provinces[row["province"]] if row.get("province") else None
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
            "level": row.get("level") or "",
            "filed_on": _date(row.get("filed_on")),
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
        # A source may give only the year of a decision: it is recorded so, and its status shows as unknown.
        certificate.signing_date_required = False
        certificate.full_clean()
        certificate.save()
        return certificate


def load_figures(figures, provinces):
    """Figures reported about provinces' OCOP programmes (matched by province, date and source)."""
    counts = Counter()
    for row in figures:
        as_of = _date(row.get("as_of"))
        url = _url(row.get("source_url"))
        if as_of is None or not url or row.get("province") not in provinces:
            continue
        values = {key: row.get(key) for key in ("products", "stars_3", "stars_4", "stars_5", "producers")}
        values["notes"] = (row.get("notes") or "")[:500]
        _upsert(ReportedFigure, {"province": provinces[row["province"]], "as_of": as_of, "source_url": url}, values)
        counts["reported figures"] += 1
    return counts


def load_programmes(programmes, provinces):
    counts = Counter()
    for row in programmes:
        url = _url(row.get("source_url"))
        members = [provinces[slug] for slug in row.get("provinces", []) if slug in provinces]
        if not url or len(members) < 2:
            continue
        programme = _upsert(
            TradeProgramme,
            {"title": row["title"][:255]},
            {
                "kind": (row.get("kind") or "")[:100],
                "signed_on": _date(row.get("signed_on")),
                "summary": row.get("notes") or "",
                "source_url": url,
            },
        )
        programme.provinces.set(members)
        counts["trade programmes"] += 1
    return counts


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
