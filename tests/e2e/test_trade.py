"""A buyer's path in a real Chromium, on a phone and on a desktop: filter 4★ and up → add two
products of producers in different provinces to the shortlist → export it → send one enquiry → the staff
of each province find their producer's enquiry in the admin, and only that one. Then axe-core on the
buyer's pages.

The live server and browser fixtures are local to this file, like tests/e2e/test_admin_decision.py's.
"""

import datetime
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connections

from core.validity import today
from tests import factories as f
from tests.admin_world import PASSWORD, staff_user
from trade.models import Enquiry

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"phone": (360, 780), "desktop": (1280, 900)}
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
    # The live server needs committed data; serialized_rollback brings back the provinces and groups of the
    # data migrations, which the flush after a transactional test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def trade_browser(live_server, transactional_db, monkeypatch, settings):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # While Playwright's loop runs, the test's ORM calls get a connection of their own: close it here,
        # or PostgreSQL refuses to drop the test database at the end ("being accessed by other users").
        connections.close_all()


def new_page(browser, live_server, size):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        base_url=live_server.url,
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def market():
    issued = today() - datetime.timedelta(days=60)
    sl = f.producer(name="HTX Chè Tà Xùa", province_slug="son-la", email="htx.taxua@example.vn")
    qn = f.producer(
        name="Công ty Nước mắm Cái Rồng", province_slug="quang-ninh", kind="enterprise", phone="0203 3874 111"
    )
    tea = f.product(name="Chè Shan tuyết Tà Xùa", producer_obj=sl, category_obj=f.category("Chè"))
    honey = f.product(name="Mật ong bạc hà Mèo Vạc", producer_obj=sl, category_obj=f.category("Mật ong"))
    fish_sauce = f.product(name="Nước mắm Cái Rồng", producer_obj=qn, category_obj=f.category("Nước mắm"))
    sl_decision = f.certificate("ocop", issued_on=issued, province_slug="son-la")
    f.entry(sl_decision, tea, stars=4)
    f.entry(sl_decision, honey, stars=3)
    f.entry(f.certificate("ocop", issued_on=issued, province_slug="quang-ninh"), fish_sauce, stars=5)
    staff_user("nv_sonla", provinces=["son-la"], email="sonla.ocop@example.gov.vn", password=PASSWORD)
    staff_user("nv_quangninh", provinces=["quang-ninh"], email="quangninh.ocop@example.gov.vn", password=PASSWORD)
    return {"tea": tea, "honey": honey, "fish_sauce": fish_sauce, "sl": sl, "qn": qn}


def log_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/admin/")


def downloaded(page, link_name):
    """The file behind a download link: clicking it must start a download, whose bytes are then read through the
    page's own session (its cookies), with a timeout. Waiting for Chromium to finish writing the file
    (Download.path()) has none: once in a CI run it never returned, and the whole run hung."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    response = page.request.get(download.url, timeout=15_000)
    download.cancel()
    assert response.ok, (download.url, response.status)
    return response.body()


@pytest.mark.parametrize("size", SIZES)
def test_filter_shortlist_export_enquire_and_each_province_sees_its_own(trade_browser, live_server, market, size):
    from playwright.sync_api import expect

    page = new_page(trade_browser, live_server, size)
    tea, fish_sauce, honey = market["tea"], market["fish_sauce"], market["honey"]

    # 1. Filter 4★ and up (on a phone the filter panel is folded first).
    page.goto("/products/")
    panel = page.locator("details.filters-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    page.locator('.facet-stars input[value="4"]').check()  # on a wide screen applied at once (site.js)
    if size == "phone":  # on a phone the visitor ticks, then applies with the panel's button
        page.get_by_role("button", name="Áp dụng bộ lọc").click()
    expect(page).to_have_url(re.compile(r"stars=4"))
    expect(page.locator("#result-count")).to_contain_text("2 sản phẩm")
    expect(page.locator(".card-title", has_text=honey.name)).to_have_count(0)

    # 2. Two products of producers in two provinces go on the shortlist; the page comes back to each button.
    for product in (tea, fish_sauce):
        page.get_by_role("button", name=f"Thêm vào danh sách chọn: {product.name}").click()
        expect(page).to_have_url(re.compile(rf"stars=4#shortlist-{product.slug}$"))
        expect(page.get_by_role("button", name=f"Đã chọn · Bỏ chọn: {product.name}")).to_be_visible()
    expect(page.locator(".main-nav .badge-count")).to_contain_text("2")
    shot(page, f"trade-{size}-1-list")

    # 3. The shortlist shows both side by side and exports exactly them.
    if size == "phone":  # the menu is folded behind its button
        page.locator(".menu-button").click()
    page.locator(".main-nav").get_by_role("link", name=re.compile("Danh sách chọn")).click()
    expect(page.locator("h1")).to_have_text("Danh sách chọn")
    expect(page.locator(".shortlist-name")).to_have_text([tea.name, fish_sauce.name])
    expect(page.locator(".shortlist-table")).to_contain_text("Sơn La")
    expect(page.locator(".shortlist-table")).to_contain_text("Quảng Ninh")
    shot(page, f"trade-{size}-2-shortlist")
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded(page, "Tải về Excel (danh sách chọn)"))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [tea.name, fish_sauce.name]
    csv_text = downloaded(page, "Tải về CSV (danh sách chọn)").decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith(tea.name) and csv_text.splitlines()[2].startswith(fish_sauce.name)

    # 4. One enquiry to both producers.
    page.get_by_role("link", name="Gửi yêu cầu tới 2 chủ thể").click()
    expect(page.locator("h1")).to_have_text("Gửi yêu cầu tới các chủ thể đã chọn")
    expect(page.get_by_label(tea.name)).to_be_checked()
    expect(page.get_by_label(fish_sauce.name)).to_be_checked()
    page.get_by_label("Họ và tên người liên hệ").fill("Nguyễn Thị Lan")
    page.get_by_label("Đơn vị").fill("Siêu thị Xanh Hà Nội")
    page.get_by_label("Email").fill("lan@sieuthixanh.example")
    page.get_by_label("Tỉnh, thành phố hoặc quốc gia").fill("Hà Nội")
    page.get_by_label("Nội dung yêu cầu").fill("Xin báo giá sỉ cho chuỗi 12 siêu thị.")
    page.get_by_label("Tôi đồng ý").check()
    shot(page, f"trade-{size}-3-enquiry")
    page.get_by_role("button", name="Gửi yêu cầu", exact=True).click()
    expect(page.locator("h1")).to_have_text("Đã gửi yêu cầu của bạn")
    reference = Enquiry.objects.values_list("reference", flat=True).distinct().get()
    expect(page.locator(".notice-success")).to_contain_text(reference)
    expect(page.locator(".sent-list li")).to_have_count(2)
    expect(page.locator(".sent-list")).to_contain_text("0203 3874 111")
    shot(page, f"trade-{size}-4-sent")
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted(
        [
            ("htx.taxua@example.vn",),
            ("sonla.ocop@example.gov.vn",),
            ("quangninh.ocop@example.gov.vn",),
            ("lan@sieuthixanh.example",),
        ]
    )

    # 5. Each province's staff find their own producer's enquiry in the admin, and not the other's.
    for username, own, other in (
        ("nv_sonla", market["sl"], market["qn"]),
        ("nv_quangninh", market["qn"], market["sl"]),
    ):
        staff = new_page(trade_browser, live_server, size)
        log_in(staff, username)
        staff.goto("/admin/trade/enquiry/")
        rows = staff.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(own.name)
        expect(rows).to_contain_text("Nguyễn Thị Lan (Siêu thị Xanh Hà Nội)")
        expect(staff.locator("#changelist")).not_to_contain_text(other.name)
        rows.locator("a").first.click()
        expect(staff.locator(".field-message")).to_contain_text("Xin báo giá sỉ cho chuỗi 12 siêu thị.")
        expect(staff.locator("#id_buyer_name")).to_have_count(0)  # read-only
        staff.locator("#id_status").select_option("forwarded")
        staff.locator('input[name="_save"]').click()
        expect(staff.locator(".messagelist")).to_be_visible()
        if size == "desktop":
            shot(staff, f"trade-{size}-5-admin-{username}")
        staff.context.close()
    assert set(Enquiry.objects.values_list("status", flat=True)) == {"forwarded"}


AXE_PAGES = ["/products/?stars=4", "/shortlist/", "/shortlist/enquiry/", "/open-data/", "/en/shortlist/"]


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_serious_or_critical_violation_on_the_buyers_pages(trade_browser, live_server, market, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(trade_browser, live_server, size)
    page.goto("/products/")
    page.get_by_role("button", name=f"Thêm vào danh sách chọn: {market['tea'].name}").click()
    page.get_by_role("button", name=f"Thêm vào danh sách chọn: {market['fish_sauce'].name}").click()
    pages = [*AXE_PAGES, market["tea"].get_absolute_url(), f"/producers/{market['sl'].slug}/enquiry/"]
    problems = {}
    for url in pages:
        page.goto(url)
        problems.update(serious(axe, page, url))
    # The form with its errors, and the confirmation.
    page.goto("/shortlist/enquiry/")
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_label("Họ và tên người liên hệ").fill("Lan")
    page.get_by_label("Tỉnh, thành phố hoặc quốc gia").fill("Huế")
    page.get_by_label("Nội dung yêu cầu").fill("Báo giá")
    page.get_by_role("button", name="Gửi yêu cầu", exact=True).click()
    page.locator(".notice-error").wait_for()
    problems.update(serious(axe, page, "form with errors"))
    page.get_by_label("Điện thoại").fill("0912 345 678")
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi yêu cầu", exact=True).click()
    page.locator(".notice-success").wait_for()
    problems.update(serious(axe, page, "sent"))
    assert not problems, problems


def serious(axe, page, name):
    violations = axe.run(page).response["violations"]
    found = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    return {name: found} if found else {}
