"""Write the whole published catalogue as open data: products.csv, products.json and datapackage.json.

`python manage.py export_open_data DIR [--base-url https://ocop.example.gov.vn]`

products.csv has the columns of the product list's export (UTF-8 with BOM, opens in Excel); products.json
holds the records of the API (`/api/products/`), every product with its certificates and current rating.
The files are written under temporary names and renamed at the end, so a reader of DIR never sees half a
file. Rows are streamed (a few thousand at a time), so memory stays flat whatever the catalogue's size.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from products.filters import ProductFilter

from ...exports import export_header, export_rows
from ...open_data import FORMAT_VERSION, product_data, with_open_data
from ...spreadsheets import csv_lines

CHUNK_SIZE = 1000


class Command(BaseCommand):
    help = "Write the published catalogue to DIR as products.csv, products.json and datapackage.json."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="Folder to write into (created if missing).")
        parser.add_argument(
            "--base-url",
            default="",
            help="Site address put before every link, e.g. https://ocop.example.gov.vn (default: paths only).",
        )

    def handle(self, *args, directory, base_url, verbosity, **options):
        target = Path(directory)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {target}: {exc}") from exc
        base_url = base_url.rstrip("/")
        generated = timezone.now().isoformat(timespec="seconds")
        # One snapshot for both files (REPEATABLE READ on PostgreSQL would be stricter; the two reads
        # follow each other within seconds, and every record carries its own updated_at).
        counts = {"csv": 0, "json": 0}
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            queryset = ProductFilter({}).qs
            self.write(target / "products.csv", self.csv_text(queryset, base_url, counts))
            self.write(target / "products.json", self.json_text(queryset, base_url, generated, counts))
        csv_count, json_count = counts["csv"], counts["json"]
        self.write(target / "datapackage.json", [self.datapackage(generated, csv_count)])
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {csv_count} products to {target / 'products.csv'} and {target / 'products.json'}."
                )
            )
        if csv_count != json_count:
            raise CommandError(
                f"The CSV has {csv_count} rows but the JSON {json_count}: the catalogue changed meanwhile."
            )

    def write(self, path, chunks):
        """Write text chunks to `path` through a temporary file renamed at the end."""
        partial = path.with_name(f".{path.name}.partial")
        with partial.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        partial.replace(path)

    def csv_text(self, queryset, base_url, counts):
        lines = csv_lines(export_header(), export_rows(queryset, base_url=base_url))
        yield next(lines)  # the header
        for line in lines:
            yield line
            counts["csv"] += 1

    def json_text(self, queryset, base_url, generated, counts):
        head = {"format_version": FORMAT_VERSION, "generated_at": generated, "source": base_url + "/"}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "products": [\n'
        for product in with_open_data(queryset).iterator(chunk_size=CHUNK_SIZE):
            record = json.dumps(product_data(product, base_url=base_url), ensure_ascii=False, cls=DjangoJSONEncoder)
            yield (",\n" if counts["json"] else "") + record
            counts["json"] += 1
        yield "\n]}\n"

    def datapackage(self, generated, count):
        """A Frictionless Data descriptor, so that open-data portals and tools know what the files hold."""
        header = export_header()
        descriptor = {
            "name": "ocop-products",
            "title": f"{settings.SITE_NAME}: sản phẩm OCOP",
            "created": generated,
            "resources": [
                {
                    "name": "products-csv",
                    "path": "products.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8-sig",
                    "count": count,
                    "schema": {"fields": [{"name": title, "type": "string"} for title in header]},
                },
                {
                    "name": "products-json",
                    "path": "products.json",
                    "format": "json",
                    "mediatype": "application/json",
                    "count": count,
                },
            ],
        }
        return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
