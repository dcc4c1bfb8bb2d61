"""The back-office as a provincial staff member uses it, in a real Chromium: the product picker shows
each product's producer and province, the error banner speaks Vietnamese, a decision listing
same-named products of two producers asks to confirm, the import preview leaves blank cells blank;
axe on the pages staff use (lists, the certificate form, the import); screenshots of the preview and of
"did you mean" errors."""

import pytest

from products.models import Product
from tests import factories as f
from tests.admin_world import PASSWORD, staff_user
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_admin_decision import browser, choose_product, log_in, new_page  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = {"phone": (360, 800), "desktop": (1280, 900)}


@pytest.fixture
def same_names():
    """Two producers of Sơn La selling a "Chè Shan tuyết Mộc Châu", and a staff member of the province."""
    staff_user("nv_sonla", provinces=["son-la"], password=PASSWORD)
    tea = f.category("Chè")
    return [
        Product.objects.create(name="Chè Shan tuyết Mộc Châu", producer=f.producer(name), category=tea)
        for name in ("Công ty Cổ phần Chè Mộc Châu", "HTX Chè Tà Xùa")
    ]


def test_the_picker_shows_producers_and_same_names_ask_to_confirm(browser, live_server, same_names):  # noqa: F811
    from playwright.sync_api import expect

    page = new_page(browser, live_server)
    log_in(page, "nv_sonla")
    page.goto("/admin/certifications/certificate/add/")
    page.locator("#id_entries-0-product + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Mộc Châu")
    options = page.locator(".select2-results__option")
    expect(options.filter(has_text="Chè Shan tuyết Mộc Châu — HTX Chè Tà Xùa (Sơn La)")).to_have_count(1)
    expect(options.filter(has_text="Chè Shan tuyết Mộc Châu — Công ty Cổ phần Chè Mộc Châu (Sơn La)")).to_have_count(1)
    page.keyboard.press("Escape")

    # An empty form: the banner above it in Vietnamese (Django's own catalogue lacks the plural form).
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator(".errornote")).to_contain_text("Vui lòng sửa các lỗi dưới đây.")
    expect(page.locator(".errornote")).not_to_contain_text("Please")

    page.locator("#id_kind").select_option("ocop")
    page.locator("#id_number").fill("777/QĐ-UBND")
    page.locator("#id_title").fill("Công nhận sản phẩm OCOP")
    page.locator("#id_province").select_option(label="Sơn La")
    page.locator("#id_issuer").fill("UBND tỉnh Sơn La")
    page.locator("#id_issued_on").fill("15/01/2025")
    page.locator("#entries-group .add-row a").click()
    for row, product in enumerate(same_names):
        choose_product(page, row, f"{product.name} — {product.producer.name}")
        page.locator(f"#id_entries-{row}-stars").select_option("4")
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator(".errornote, .errorlist.nonform")).to_contain_text(["Vui lòng sửa"])
    expect(page.locator("#entries-group")).to_contain_text("cùng tên của những chủ thể khác nhau")
    page.get_by_label("Đúng, văn bản có các sản phẩm cùng tên của những chủ thể khác nhau").check()
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("thành công")


@pytest.mark.parametrize("size", SIZES)
def test_axe_on_the_pages_staff_use_and_the_import_preview(browser, live_server, same_names, size):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    from tests.certifications.test_import_decisions import DATA

    # The products the sample file names (as in test_admin_decision): the preview shows 4 valid rows.
    ta_xua = same_names[1].producer  # "HTX Chè Tà Xùa", made by the fixture
    minh = f.producer("Hộ kinh doanh Lò Văn Minh", kind="household")
    mai_son = f.producer("HTX Cà phê Mai Sơn")
    for name, producer, category in (
        ("Chè Shan tuyết Tà Xùa", ta_xua, "Chè"),
        ("Trà xanh Tà Xùa", ta_xua, "Chè"),
        ("Mật ong hoa rừng Sốp Cộp", minh, "Mật ong"),
        ("Cà phê Arabica Mai Sơn", mai_son, "Cà phê"),
    ):
        f.product(name, producer_obj=producer, category_obj=f.category(category))
    axe = Axe()
    page = new_page(browser, live_server)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, "nv_sonla")
    problems = {}

    def check(name):
        violations = axe.run(page).response["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[name] = serious

    for path in (
        "/admin/",
        "/admin/certifications/certificate/",
        "/admin/certifications/certificate/add/",
        "/admin/products/product/",
        "/admin/producers/producer/",
    ):
        page.goto(path)
        check(path)
    page.goto("/admin/certifications/certificate/")
    page.get_by_role("link", name="Nhập quyết định OCOP từ tệp").click()
    check("import")
    page.get_by_label("Tệp cần nhập:").set_input_files(str(DATA / "quyet_dinh_ocop_son_la.csv"))
    page.get_by_role("button", name="Gửi").click()
    page.get_by_role("heading", name="Xem trước: 4 dòng hợp lệ").wait_for()
    check("import preview")
    preview = page.locator("#content table").first.inner_text()
    assert "None" not in preview
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{size}-import-preview.png"), full_page=True)

    # Near misses: the rows' errors name the nearest producer and product ("did you mean").
    page.goto("/admin/certifications/certifiedproduct/import/")
    page.get_by_label("Tệp cần nhập:").set_input_files(str(DATA / "quyet_dinh_goi_y.csv"))
    page.get_by_role("button", name="Gửi").click()
    page.get_by_role("heading", name="3 dòng có lỗi — không có gì được lưu").wait_for()
    check("import errors")
    errors = page.locator("#content table").first.inner_text()
    assert "Có phải ý bạn là “HTX Cà phê Mai Sơn (Sơn La)”?" in errors
    assert "Có phải ý bạn là “Mật ong hoa rừng Sốp Cộp — Hộ kinh doanh Lò Văn Minh”?" in errors
    page.screenshot(path=str(SCREENSHOTS / f"{size}-import-did-you-mean.png"), full_page=True)
    assert not problems, problems
