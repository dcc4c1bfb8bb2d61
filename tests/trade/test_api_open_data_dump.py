"""`export_open_data DIR`: the whole published catalogue as CSV and JSON, the same records as the API."""

import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories as f
from tests.site.builders import catalogue
from trade.exports import export_header

pytestmark = pytest.mark.django_db


def dump(tmp_path, *args):
    call_command("export_open_data", str(tmp_path), *args, verbosity=0)
    with (tmp_path / "products.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows, json.loads((tmp_path / "products.json").read_text(encoding="utf-8"))


def test_the_dump_holds_every_published_product_as_csv_and_json(tmp_path, client):
    catalogue(30)  # 60 products, more than a page of the API
    hidden = f.product(name="Sản phẩm ẩn", is_published=False)
    rows, data = dump(tmp_path, "--base-url", "https://ocop.example.gov.vn/")
    assert (tmp_path / "products.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert rows[0] == export_header()
    assert len(rows) == 61 and len(data["products"]) == 60
    assert [row[0] for row in rows[1:]] == [item["name"] for item in data["products"]]
    assert hidden.name not in {item["name"] for item in data["products"]}
    assert data["format_version"] == 2 and data["source"] == "https://ocop.example.gov.vn/"
    first = data["products"][0]
    assert first["url"].startswith("https://ocop.example.gov.vn/products/")
    assert rows[1][-1] == first["url"]
    # The same records as the API gives, page after page (links aside).
    from_api = []
    page = json.loads(client.get("/api/products/").content)
    while True:
        from_api += page["results"]
        if not page["next"]:
            break
        page = json.loads(client.get(page["next"].replace("http://testserver", "")).content)

    def strip(item):
        return (
            json.dumps(item, sort_keys=True).replace("http://testserver", "").replace("https://ocop.example.gov.vn", "")
        )

    assert [strip(item) for item in data["products"]] == [strip(item) for item in from_api]
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["products.csv", "products.json"]
    assert package["resources"][0]["count"] == 60
    assert not list(tmp_path.glob(".*.partial"))


def test_an_empty_catalogue_gives_valid_empty_files(tmp_path):
    rows, data = dump(tmp_path)
    assert rows == [export_header()]
    assert data["products"] == []


def test_the_folder_is_created_and_a_bad_one_is_refused(tmp_path):
    call_command("export_open_data", str(tmp_path / "a" / "b"), verbosity=0)
    assert (tmp_path / "a" / "b" / "products.json").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError):
        call_command("export_open_data", str(tmp_path / "file" / "sub"), verbosity=0)
