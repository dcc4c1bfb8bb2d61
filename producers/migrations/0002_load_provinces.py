"""Load the 63 provincial units: the 34 current ones and the 29 merged into them on 1 July 2025."""

import csv
from pathlib import Path

from django.db import migrations

from core.text import fold_vietnamese

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "provinces.csv"


def load(apps, schema_editor):
    Province = apps.get_model("producers", "Province")
    with CSV_PATH.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_slug = {}
    for row in sorted(rows, key=lambda r: r["current"] != "yes"):  # current units first
        province, _ = Province.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "name_en": row["name_en"],
                "kind": row["kind"],
                "is_current": row["current"] == "yes",
                "merged_into": by_slug.get(row["merged_into"]) if row["merged_into"] else None,
                "sort_key": fold_vietnamese(row["name"].removeprefix("TP. ")),
            },
        )
        by_slug[row["slug"]] = province


def unload(apps, schema_editor):
    apps.get_model("producers", "Province").objects.filter(is_current=False).delete()
    apps.get_model("producers", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("producers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
