"""A visitor's path through the public catalogue in a real Chromium, on a phone and on a desktop:
home → province → 4★ and up → product → certificate → verify; and axe-core on each kind of page."""

import datetime
import re

import pytest
from django.core.management import call_command

from core.validity import today
from products.models import Product
from tests import factories as f
from tests.e2e.conftest import e2e_db

pytestmark = [pytest.mark.e2e, e2e_db]

SIZES = {"phone": (360, 780), "desktop": (1280, 900)}
NUMBER = "415/QĐ-UBND"


@pytest.fixture
def catalogue(db):
    """The real demo data, plus a current Sơn La OCOP decision (dates relative to today)."""
    call_command("load_demo", verbosity=0)
    decision = f.certificate(
        "ocop",
        issued_on=today() - datetime.timedelta(days=60),
        number=NUMBER,
        title="Công nhận sản phẩm OCOP tỉnh Sơn La",
        issuer="UBND tỉnh Sơn La",
    )
    tea = Product.objects.get(slug="che-shan-tuyet-moc-chau-vinatea")
    f.entry(decision, tea, stars=4)
    f.entry(decision, Product.objects.get(slug="tao-son-tra-son-la-bac-son"), stars=3)
    return {"product": tea, "decision": decision}


@pytest.mark.parametrize("size", SIZES)
def test_home_to_province_to_four_stars_to_product_to_certificate_to_verify(
    catalogue, live_url, browser_page, screenshot, size
):
    from playwright.sync_api import expect

    page = browser_page(*SIZES[size])
    page.goto(live_url + "/")
    expect(page.locator("h1")).to_contain_text("Sản phẩm OCOP")
    screenshot(page, f"{size}-1-home")

    page.locator('.province-grid a[href="/provinces/son-la/"]').click()
    expect(page).to_have_url(re.compile(r"/provinces/son-la/$"))
    expect(page.locator("h1")).to_have_text("Tỉnh Sơn La")
    expect(page.locator(".chart-stars")).to_be_visible()
    screenshot(page, f"{size}-2-province")

    page.get_by_role("link", name="Sản phẩm từ 4 sao trở lên").click()
    expect(page).to_have_url(re.compile(r"/products/\?province=son-la&stars=4$"))
    expect(page.locator("#result-count")).to_contain_text("1 sản phẩm")
    expect(page.locator(".chip")).to_have_count(2)
    screenshot(page, f"{size}-3-four-stars")

    page.locator(".card-title a", has_text="Chè Shan tuyết Mộc Châu").click()
    expect(page).to_have_url(re.compile(r"/products/che-shan-tuyet-moc-chau-vinatea/$"))
    expect(page.locator(".rating-box .rating")).to_contain_text("4 sao")
    screenshot(page, f"{size}-4-product")

    page.locator(".cert-card.cert-valid .cert-title a", has_text="Công nhận sản phẩm OCOP tỉnh Sơn La").click()
    expect(page.locator(".verdict-valid")).to_contain_text("Văn bản còn hiệu lực")
    expect(page.locator(".data-table")).to_contain_text("Chè Shan tuyết Mộc Châu")
    screenshot(page, f"{size}-5-certificate")

    if size == "phone":  # the menu is folded behind its button
        page.locator(".menu-button").click()
    page.locator(".main-nav").get_by_role("link", name="Kiểm tra chứng nhận").click()
    page.get_by_label("Số văn bản").fill("415 / qd - ubnd")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator(".verdict-valid")).to_contain_text("Văn bản còn hiệu lực")
    expect(page.locator(".verify-card")).to_contain_text("Chè Shan tuyết Mộc Châu")
    screenshot(page, f"{size}-6-verify")

    page.get_by_label("Số văn bản").fill("9999/QĐ-UBND")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator(".verdict-notfound")).to_contain_text("Không tìm thấy")
    expect(page.locator(".verdict-valid")).to_have_count(0)
    screenshot(page, f"{size}-7-verify-not-found")


def test_filters_apply_when_ticked_and_the_english_page_says_stars(catalogue, live_url, browser_page, screenshot):
    from playwright.sync_api import expect

    page = browser_page(1280, 900)
    page.goto(live_url + "/products/")
    expect(page.locator("details.filters-panel")).to_have_attribute("open", "")
    page.locator('.facet-stars input[value="4"]').check()
    expect(page).to_have_url(re.compile(r"stars=4"))
    four_and_up = Product.objects.published().with_min_stars(4).count()
    expect(page.locator("#result-count")).to_contain_text(f"{four_and_up} sản phẩm")
    page.goto(live_url + "/en" + catalogue["product"].get_absolute_url())
    expect(page.locator(".rating-box .rating")).to_contain_text("4 stars")
    screenshot(page, "desktop-english-product")


AXE_PAGES = {
    "home": lambda c: "/",
    "list": lambda c: "/products/?province=son-la&stars=3",
    "search-empty": lambda c: "/products/?q=zzzz&province=atlantis",
    "product": lambda c: c["product"].get_absolute_url(),
    "province": lambda c: "/provinces/son-la/",
    "certificate": lambda c: c["decision"].get_absolute_url(),
    "register": lambda c: "/certificates/?kind=gi",
    "verify": lambda c: "/certificates/verify/?number=415/QD-UBND",
    "verify-not-found": lambda c: "/certificates/verify/?number=1032",
    "producer": lambda c: c["product"].producer.get_absolute_url(),
}


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_serious_or_critical_violation(catalogue, live_url, browser_page, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser_page(*SIZES[size])
    problems = {}
    for name, url_of in AXE_PAGES.items():
        page.goto(live_url + url_of(catalogue))
        violations = axe.run(page).response["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[name] = serious
    assert not problems, problems
