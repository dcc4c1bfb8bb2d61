"""The catalogue on a phone (360 × 800) and a desktop (1280 × 900) with the real demo data: results in
view after a search or a filter, the filter panel that keeps the visitor's place, the map, the pictures,
the examples the site suggests, the empty search that names the register's GI; axe on every page."""

import re
import struct

import pytest
from django.core.management import call_command

from tests.e2e.conftest import e2e_db

pytestmark = [pytest.mark.e2e, e2e_db]

SIZES = {"phone": (360, 800), "desktop": (1280, 900)}
# The bar: the first result's top at most this far from the top of the page.
FIRST_RESULT_MAX_TOP = 400


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def first_result_top(page):
    return page.locator(".card-grid .card").first.bounding_box()["y"] + page.evaluate("window.scrollY")


@pytest.mark.parametrize("size", SIZES)
def test_the_first_result_is_in_view_after_a_search_and_after_a_filter(demo, live_url, browser_page, size):
    from playwright.sync_api import expect

    page = browser_page(*SIZES[size])
    page.goto(live_url + "/")
    page.locator("#home-q").fill("che shan tuyet")
    page.locator("#home-q").press("Enter")
    expect(page.locator("#result-count")).to_contain_text("sản phẩm")
    assert page.evaluate("window.scrollY") == 0
    assert first_result_top(page) <= FIRST_RESULT_MAX_TOP, first_result_top(page)

    page.goto(live_url + "/products/")
    panel = page.locator("details.filters-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    page.locator('.facet-group input[value="1"]').check()
    if size == "phone":
        page.get_by_role("button", name="Áp dụng bộ lọc").click()
    expect(page).to_have_url(re.compile(r"group=1"))
    assert page.evaluate("window.scrollY") == 0
    assert first_result_top(page) <= FIRST_RESULT_MAX_TOP, first_result_top(page)


def test_on_a_phone_filters_are_ticked_in_place_and_applied_with_one_button(demo, live_url, browser_page):
    from playwright.sync_api import expect

    page = browser_page(*SIZES["phone"])
    page.goto(live_url + "/products/")
    expect(page.locator(".menu-button")).to_be_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 70, header  # one row: brand, language, menu button
    page.locator("details.filters-panel summary").click()
    far_down = page.locator(".facet-producer_kind input").first
    far_down.scroll_into_view_if_needed()
    place = page.evaluate("window.scrollY")
    assert place > 400
    far_down.check()
    page.locator(".facet-cert input").last.check()
    page.wait_for_timeout(300)
    # No reload: the panel stays open where the visitor is, its counts beside each choice.
    assert page.url.endswith("/products/")
    assert page.evaluate("window.scrollY") == place
    assert re.fullmatch(r"\d+", page.locator(".facet-producer_kind .opt-count").first.inner_text())
    apply = page.get_by_role("button", name="Áp dụng bộ lọc")
    box = apply.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box  # in reach at the bottom of the screen
    apply.click()
    expect(page.locator(".chip")).to_have_count(2)


def test_on_a_desktop_a_ticked_filter_applies_and_the_panel_keeps_its_place(demo, live_url, browser_page):
    from playwright.sync_api import expect

    page = browser_page(*SIZES["desktop"])
    page.goto(live_url + "/products/")
    option = page.locator(".facet-category input").nth(15)
    option.scroll_into_view_if_needed()
    place = page.evaluate("document.querySelector('aside.filters').scrollTop")
    assert place > 100
    option.check()
    expect(page).to_have_url(re.compile(r"category="))
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert abs(page.evaluate("document.querySelector('aside.filters').scrollTop") - place) < 40
    assert page.evaluate("window.scrollY") == 0


@pytest.mark.parametrize("path", ["/", "/provinces/"])
def test_the_map_links_each_unit_with_its_count_and_former_provinces(demo, live_url, browser_page, path):
    from playwright.sync_api import expect

    page = browser_page(*SIZES["desktop"])
    page.goto(live_url + path)
    tiles = page.locator(".province-map a")
    expect(tiles).to_have_count(34)
    names = [tiles.nth(i).get_attribute("aria-label") for i in range(34)]
    assert all(re.search(r": \d+ sản phẩm có hạng OCOP còn hiệu lực$", name) for name in names), names
    tuyen_quang = page.locator('.province-map a[href="/provinces/tuyen-quang/"]')
    assert "Hà Giang" in tuyen_quang.locator("title").text_content()
    tuyen_quang.click()
    expect(page).to_have_url(re.compile(r"/provinces/tuyen-quang/$"))
    expect(page.locator(".former")).to_contain_text("Hà Giang")


def png_size(body):
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", body[16:24])


def test_share_images_favicon_and_manifest_answer_with_images(demo, live_url, browser_page):
    page = browser_page(*SIZES["desktop"])
    for path in ("/products/che-shan-tuyet-moc-chau-vinatea/", "/provinces/son-la/"):
        page.goto(live_url + path)
        image = page.locator('meta[property="og:image"]').get_attribute("content")
        response = page.request.get(image)
        assert response.status == 200 and response.headers["content-type"] == "image/png"
        assert png_size(response.body()) == (1200, 630)
        assert "max-age" in response.headers["cache-control"]
    producer = page.request.get(live_url + "/share/producers/htx-che-ta-xua.png")
    assert producer.status in (200, 404)
    favicon = page.request.get(live_url + "/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"] == "image/x-icon"
    assert favicon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    manifest = page.request.get(live_url + "/manifest.webmanifest").json()
    for icon in manifest["icons"]:
        assert page.request.get(live_url + icon["src"]).status == 200


def test_every_example_the_home_page_suggests_finds_a_product(demo, live_url, browser_page):
    page = browser_page(*SIZES["desktop"])
    page.goto(live_url + "/")
    examples = page.locator("a.example")
    assert examples.count() >= 2
    placeholder = page.locator("#home-q").get_attribute("placeholder")
    urls = [examples.nth(i).get_attribute("href") for i in range(examples.count())]
    for url in urls:
        page.goto(live_url + url)
        count = int(re.match(r"\d+", page.locator("#result-count").inner_text()).group())
        assert count >= 1, url
    number = page.goto(live_url + "/") and page.locator("#home-number").get_attribute("placeholder")
    page.goto(live_url + "/certificates/verify/?number=" + number)
    assert page.locator(".verdict-notfound").count() == 0, number
    assert placeholder and "xoài Yên Châu" not in placeholder


def test_a_search_without_products_names_the_registers_gi_and_the_province(demo, live_url, browser_page):
    from playwright.sync_api import expect

    page = browser_page(*SIZES["phone"])
    page.goto(live_url + "/products/?q=xoài+Sơn+La+xyz")
    expect(page.locator(".empty-state")).to_contain_text("Không tìm thấy sản phẩm nào")
    matches = page.locator(".register-matches li")
    expect(matches.filter(has_text="Chỉ dẫn địa lý").filter(has_text="Sơn La")).not_to_have_count(0)
    expect(matches.get_by_role("link", name=re.compile("liên hệ Tỉnh Sơn La"))).not_to_have_count(0)


AXE_PAGES = [
    "/",
    "/products/",
    "/products/?q=che+shan+tuyet",
    "/products/?q=xoài+Sơn+La+xyz",
    "/products/che-shan-tuyet-moc-chau-vinatea/",
    "/provinces/",
    "/provinces/son-la/",
    "/producers/",
    "/certificates/",
    "/certificates/verify/",
    "/open-data/",
    "/shortlist/",
    "/en/",
    "/en/provinces/",
]


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_nothing_serious_on_the_public_pages(demo, live_url, browser_page, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser_page(*SIZES[size])
    problems = {}
    for path in AXE_PAGES:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        if size == "phone" and page.locator(".menu-button").is_visible():
            page.locator(".menu-button").click()  # the menu's links checked open too
        violations = axe.run(page).response["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[path] = serious
    assert not problems, problems


def test_no_public_page_is_wider_than_a_phone(demo, live_url, browser_page):
    """At 360 px the list's filter box and its sort / "Tải về" row once reached past the right edge (the
    one-column grid sized itself to its widest child): nothing may make the page scroll sideways."""
    width = SIZES["phone"][0]
    page = browser_page(*SIZES["phone"])
    too_wide = {}
    for path in [*AXE_PAGES, "/en/products/?q=che", "/producers/?province=son-la"]:
        page.goto(live_url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[path] = scroll_width
    # The open menu too: its two columns of unbreakable names ("Văn bản chứng nhận") made it 387 px wide.
    for path in ("/", "/en/"):
        page.goto(live_url + path)
        page.locator(".menu-button").click()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[f"{path} (menu open)"] = scroll_width
    assert too_wide == {}
    page.goto(live_url + "/products/?q=che")
    for summary in page.locator(".toolbar summary").all():
        box = summary.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, summary.inner_text()


def test_escape_folds_the_phone_menu_and_filter_panel_back_onto_their_buttons(demo, live_url, browser_page):
    from playwright.sync_api import expect

    page = browser_page(*SIZES["phone"])
    page.goto(live_url + "/products/")
    for panel, button in (
        ("details.site-menu", ".menu-button"),
        ("details.filters-panel", "details.filters-panel > summary"),
    ):
        page.locator(button).focus()
        page.keyboard.press("Enter")
        expect(page.locator(panel)).to_have_attribute("open", "")
        page.keyboard.press("Tab")  # into the panel
        page.keyboard.press("Escape")
        expect(page.locator(panel)).not_to_have_attribute("open", "")
        expect(page.locator(button)).to_be_focused()
    # On a wide screen the filter panel stays open: it is not folded there.
    wide = browser_page(1280, 900)
    wide.goto(live_url + "/products/")
    wide.locator("details.filters-panel input").first.focus()
    wide.keyboard.press("Escape")
    expect(wide.locator("details.filters-panel")).to_have_attribute("open", "")


SCREENSHOT_PAGES = {
    "home": "/",
    "list": "/products/?q=che+shan+tuyet",
    "product": "/products/che-shan-tuyet-moc-chau-vinatea/",
    "province": "/provinces/son-la/",
}


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_the_main_pages(demo, live_url, browser_page, screenshot, size):
    """var/screenshots/<size>-page-<name>.png, to be looked at (README "Screenshots")."""
    page = browser_page(*SIZES[size])
    for name, path in SCREENSHOT_PAGES.items():
        page.goto(live_url + path)
        page.wait_for_load_state("load")
        assert screenshot(page, f"{size}-page-{name}").stat().st_size > 10_000
