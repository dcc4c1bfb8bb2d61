"""`load_demo` loads the real records, each with its source, and is idempotent."""

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from certifications.models import Certificate, CertifiedProduct
from producers.models import Producer
from products.models import Category, Product

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DEMO = json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))
DECISIONS = json.loads((FIXTURES / "ocop_decisions.json").read_text(encoding="utf-8"))


def _counts():
    return (
        Category.objects.count(),
        Producer.objects.count(),
        Product.objects.count(),
        Certificate.objects.count(),
        CertifiedProduct.objects.count(),
    )


def test_load_demo_twice_leaves_the_same_counts():
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == first
    assert first[3] == len(DEMO["certificates"]) + len(DECISIONS["certificates"])
    assert first[2] == len(DEMO["products"]) + len(DECISIONS["products"])


def test_load_demo_again_writes_nothing():
    """Re-saving an unchanged category, producer or certificate refreshed every product under it (5 minutes
    for `make load`'s 100,000 synthetic products) and added history entries: a second run only reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("load_demo", verbosity=0)
    with CaptureQueriesContext(connection) as queries:
        call_command("load_demo", verbosity=0)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    product = Product.objects.get(slug=DEMO["products"][0]["slug"])
    Product.objects.filter(pk=product.pk).update(name="Tên đã sửa")
    call_command("load_demo", verbosity=0)
    product.refresh_from_db()
    assert product.name == DEMO["products"][0]["name"]  # a changed record is still put back


def test_demo_has_the_son_la_titles_and_25_other_gis():
    call_command("load_demo", verbosity=0)
    son_la = Certificate.objects.filter(province__slug="son-la")
    assert son_la.filter(kind="gi").count() == 3
    assert son_la.filter(kind="certification_mark").count() >= 12
    assert son_la.filter(kind="collective_mark").count() >= 2
    assert Certificate.objects.filter(kind="gi").exclude(province__slug="son-la").count() >= 25
    moc_chau = Certificate.objects.get(kind="gi", number="00002")
    assert moc_chau.issued_on.isoformat() == "2010-08-09"
    assert moc_chau.entries.count() == 3
    phu_quoc = Certificate.objects.get(kind="gi", number="00001")
    assert (phu_quoc.province.slug, phu_quoc.former_province.slug) == ("an-giang", "kien-giang")


def test_every_certificate_names_its_source():
    call_command("load_demo", verbosity=0)
    for cert in Certificate.objects.all():
        assert cert.source_url or "Nguồn" in cert.notes or "nguồn" in cert.notes, cert


def test_ba_che_tea_and_a_current_five_star_product():
    call_command("load_demo", verbosity=0)
    assert Product.objects.filter(producer__province__slug="quang-ninh", search_text__contains="ba che").exists()
    assert Product.objects.with_min_stars(5).exists()


def test_dry_run_loads_nothing():
    call_command("load_demo", "--dry-run", verbosity=0)
    assert Certificate.objects.count() == 0


def test_the_demo_has_real_ocop_ratings_in_force_in_many_provinces():
    """The sourced decisions: at least 200 products with a dated decision (expired ones included), the ones
    still in force listed by the stars filter, and every decision pointing at the page that states it."""
    call_command("load_demo", verbosity=0)
    dated = CertifiedProduct.objects.filter(kind="ocop", certificate__issued_on__isnull=False)
    assert dated.values("product").distinct().count() >= 200
    assert dated.values("product__producer__province").distinct().count() >= 15
    in_force = Product.objects.with_min_stars(3)
    assert in_force.count() == dated.in_force().values("product").distinct().count() > 80
    for decision in Certificate.objects.filter(kind="ocop"):
        url = urlsplit(decision.source_url)
        assert url.scheme in ("http", "https") and url.path.strip("/"), decision


def test_no_mark_without_known_dates_is_valid_anywhere(client):
    call_command("load_demo", verbosity=0)
    unknown = Certificate.objects.filter(kind__in=["certification_mark", "collective_mark"], valid_until=None)
    assert unknown.count() >= 15
    assert not unknown.in_force().exists()
    mark = unknown.filter(entries__isnull=False).first()
    page = client.get(mark.get_absolute_url()).content.decode()
    assert "chưa rõ hiệu lực" in page
    assert "còn hiệu lực</span>" not in page
    api = client.get("/api/products/", {"cert": "certification_mark", "province": mark.province.slug}).json()
    statuses = {
        c["status"]
        for p in api["results"]
        for c in p.get("certificates", [])
        if c["kind"] in ("certification_mark", "collective_mark")
    }
    assert "valid" not in statuses


def test_each_product_is_listed_once():
    """The January 2025 national batch was once in both files: under the producers' Vietnamese names with
    their decisions, and again under vietnamnews.vn's English names without a rating, so the catalogue showed
    each product twice, one copy saying it had no OCOP rating in force. A product name may repeat in a
    province only for distinct producers, and never across the two files."""
    from core.text import fold_vietnamese

    province = {p["slug"]: p["province"] for p in DEMO["producers"] + DECISIONS["producers"]}

    def keys(data):
        return {(fold_vietnamese(p["name"]), province[p["producer"]]) for p in data["products"]}

    assert keys(DEMO) & keys(DECISIONS) == set()
    call_command("load_demo", verbosity=0)
    che_dinh = Product.objects.filter(name="Chè đinh", producer__province__slug="thai-nguyen")
    assert che_dinh.count() == 1
    assert che_dinh.with_min_stars(5).count() == 1
    assert not Producer.objects.filter(name__iendswith=" Co Ltd").exists()


def test_the_decisions_fixture_is_what_its_sources_make(tmp_path):
    """`make demo-fixture` rebuilds fixtures/ocop_decisions.json from fixtures/sources/: the committed file must be
    its output, so that a rebuild changes nothing a visitor sees (no product's address, no English name)."""
    sources = FIXTURES / "sources"
    out = tmp_path / "ocop_decisions.json"
    decisions = ["national_5star", "son_la_decisions", "son_la_recent", "provincial_decisions", "more_decisions"]
    decisions.append("more_decisions_2")  # the order of the Makefile's demo-fixture target
    subprocess.run(
        [
            sys.executable,
            str(FIXTURES.parent / "scripts" / "decisions_to_fixture.py"),
            *(str(sources / f"{name}.json") for name in decisions),
            *("--figures", str(sources / "figures.json"), "--figures", str(sources / "figures_provincial.json")),
            *("--programmes", str(sources / "programmes.json"), "--out", str(out)),
        ],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (FIXTURES / "ocop_decisions.json").read_bytes()
