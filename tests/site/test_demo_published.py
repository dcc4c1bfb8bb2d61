"""The real demo as visitors and programs meet it: every page of the open-data API and the open-data dump,
every certificate's page and its number on the verify page, in both languages.

The demo holds what factories rarely make: national decisions (no province), decisions whose date no
source gives (status unknown), categories added from the decisions. The API once answered 500 for every
page holding a national decision (`certificate.province.slug` on None), and no test built one."""

import json
import re

import pytest
from django.core.management import call_command
from django.utils.html import escape
from django.utils.translation import override

from certifications.models import Certificate, CertifiedProduct
from products.models import Category, Product

pytestmark = pytest.mark.django_db

NO_PROVINCE = {
    "vi": "Không thuộc riêng tỉnh nào (quyết định cấp trung ương)",
    "en": "No single province (a national decision)",
}
# The province row of a certificate's facts with nothing in it (or a link to nowhere).
EMPTY_PROVINCE_ROW = re.compile(r"<dt>(Tỉnh, thành phố|Tỉnh|Province)</dt><dd>\s*(<a href=\"\">\s*</a>)?\s*(</dd>|\()")


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    national = CertifiedProduct.objects.filter(certificate__province__isnull=True).select_related("product")
    assert national.exists()  # what these tests are about
    return national


def every_result(client, path):
    results, url = [], path
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.json()
        results += data["results"]
        url = data["next"]
    return results


@pytest.mark.parametrize("path", ["/api/products/", "/en/api/products/?stars=5", "/api/products/?cert=ocop"])
def test_every_page_of_the_api_answers_with_national_decisions_in_it(client, demo, path):
    results = every_result(client, path)
    assert len({item["slug"] for item in results}) == len(results)
    if path == "/api/products/":
        assert len(results) == Product.objects.published().count()
    national = {f"/certificates/{entry.certificate_id}/" for entry in demo}
    shown = [
        c
        for item in results
        for c in item["certificates"]
        if "/certificates/" + c["url"].split("/certificates/")[1] in national
    ]
    assert shown  # the pages hold national decisions: what broke them
    assert {(c["province"], c["kind"]) for c in shown} == {(None, "ocop")}


def test_the_open_data_dump_holds_every_product(demo, tmp_path):
    call_command("export_open_data", str(tmp_path), verbosity=0)
    products = json.loads((tmp_path / "products.json").read_text(encoding="utf-8"))
    rows = products["products"] if isinstance(products, dict) else products
    assert len(rows) == Product.objects.published().count()
    national = {f"/certificates/{e.certificate_id}/" for e in demo}
    provinces = {c["province"] for row in rows for c in row["certificates"] if c["url"] in national}
    assert provinces == {None}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_certificate_page_names_its_province_or_says_nationwide(client, demo, language):
    prefix = "/en" if language == "en" else ""
    for certificate in Certificate.objects.select_related("province"):
        with override("vi"):
            path = certificate.get_absolute_url()
            province_path = certificate.province.get_absolute_url() if certificate.province_id else ""
        response = client.get(prefix + path)
        assert response.status_code == 200, certificate
        html = response.content.decode()
        assert not EMPTY_PROVINCE_ROW.search(html), certificate
        if certificate.province_id is None:
            assert NO_PROVINCE[language] in html, certificate
        else:
            assert f'href="{prefix}{province_path}"' in html, certificate


def test_every_certificate_number_is_found_on_the_verify_page(client, demo):
    for certificate in Certificate.objects.exclude(number=""):
        response = client.get("/certificates/verify/", {"number": certificate.number})
        assert response.status_code == 200, certificate
        html = response.content.decode()
        assert f'href="{certificate.get_absolute_url()}"' in html, certificate
        if certificate.province_id is None:
            assert NO_PROVINCE["vi"] in html


def test_the_register_list_says_nationwide(client, demo):
    page, seen = 1, 0
    while True:
        response = client.get("/certificates/", {"kind": "ocop", "page": page})
        assert response.status_code == 200
        html = response.content.decode()
        assert not EMPTY_PROVINCE_ROW.search(html)
        seen += html.count(NO_PROVINCE["vi"])
        if not response.context["page"].has_next():
            break
        page += 1
    assert seen == Certificate.objects.filter(province__isnull=True).count()


def test_every_category_has_an_english_name(client, demo):
    assert list(Category.objects.filter(name_en="").values_list("name", flat=True)) == []
    yen_sao = Category.objects.get(slug="yen-sao")
    html = client.get("/en/products/", {"category": "yen-sao"}).content.decode()
    assert escape(yen_sao.name_en) in html and ">Yến sào<" not in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_rating_of_unknown_validity_is_not_called_lapsed(client, demo, language):
    """A decision no source dates: its ratings say "validity not known", as their badge does, not "no longer
    valid" (which the register cannot say either), on the decision's page and on the product's."""
    entries = CertifiedProduct.objects.with_status().filter(certificate__kind="ocop", stars__isnull=False)
    entry = entries.filter(status_code="unknown", product__is_published=True).select_related("certificate").first()
    assert entry is not None
    prefix = "/en" if language == "en" else ""
    doubt, lapsed = {
        "vi": ("sao (chưa rõ hiệu lực)", "sao (không còn hiệu lực)"),
        "en": ("(validity not known)", "(no longer valid)"),
    }[language]
    on_page = entries.filter(certificate=entry.certificate)
    with override("vi"):  # the paths without their language prefix
        certificate_url, product_url = entry.certificate.get_absolute_url(), entry.product.get_absolute_url()
    html = client.get(prefix + certificate_url).content.decode()
    assert html.count(doubt) == on_page.filter(status_code="unknown").count()
    assert html.count(lapsed) == on_page.exclude(status_code__in=["unknown", "valid", "expiring"]).count()
    product_page = client.get(prefix + product_url).content.decode()
    assert doubt in product_page
    data = json.loads(product_page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    [certification] = [c for c in data["hasCertification"] if c["url"].endswith(certificate_url)]
    assert "certificationStatus" not in certification  # neither active nor inactive: not known
