"""Load the 6 OCOP product groups of Decisions 919/QĐ-TTg (2022) and 148/QĐ-TTg (2023)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "ocop_groups.csv"


def load(apps, schema_editor):
    ProductGroup = apps.get_model("products", "ProductGroup")
    with CSV_PATH.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ProductGroup.objects.update_or_create(
                code=int(row["code"]),
                defaults={"name": row["name"], "name_en": row["name_en"], "description": row["covers"]},
            )


def unload(apps, schema_editor):
    apps.get_model("products", "ProductGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
