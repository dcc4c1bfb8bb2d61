"""Trade enquiries (issue 5): stored and mailed, refused when automated or too frequent, never public."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core import cache as catalogue_cache
from products import enquiries
from products.enquiry_models import Enquiry
from products.shortlist import SESSION_KEY
from tests import factories as f
from tests.products.trade_world import build_trade_world, buyer_data, new_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_trade_world()


@pytest.fixture
def buyer():
    return Client(REMOTE_ADDR=new_address())


def enquiry_url(producer):
    return reverse("products:producer_enquiry", args=[producer.slug])


def post(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- The form ----------------------------------------------------------------------------------------


def test_the_form_has_a_privacy_notice_consent_honeypot_and_the_product_ticked(buyer, world):
    response = buyer.get(enquiry_url(world.sl_producer), {"product": world.tea.slug})
    assert response.status_code == 200
    content = text(response)
    assert "Thông tin của bạn được dùng thế nào" in content
    assert f"Yêu cầu được xóa sau {enquiries.RETENTION_DAYS} ngày." in content
    assert "Chúng tôi không lưu địa chỉ IP của bạn" in content
    assert 'name="consent"' in content and 'name="csrfmiddlewaretoken"' in content
    assert re.search(r'<div class="hp-field" aria-hidden="true">.*?name="website"[^>]*tabindex="-1"', content)
    form = response.context["form"]
    assert form["products"].initial == [world.tea.pk]
    assert dict(form.fields["products"].choices) == {world.tea.pk: world.tea.name, world.honey.pk: world.honey.name}
    assert 'maxlength="3000"' in content
    assert '<meta name="robots" content="noindex, follow">' in content


def test_products_on_the_shortlist_come_ticked(buyer, world):
    session = buyer.session
    session[SESSION_KEY] = [world.honey.pk, world.fish_sauce.pk]
    session.save()
    form = buyer.get(enquiry_url(world.sl_producer)).context["form"]
    assert form["products"].initial == [world.honey.pk]


def test_product_and_producer_pages_link_to_the_form(client, world):
    url = enquiry_url(world.sl_producer)
    assert f'href="{url}?product={world.tea.slug}"' in client.get(world.tea.get_absolute_url()).content.decode()
    assert f'href="{url}"' in client.get(world.sl_producer.get_absolute_url()).content.decode()


def test_an_unknown_producer_is_not_found(buyer):
    assert buyer.get("/producers/khong-co/enquiry/").status_code == 404
    assert buyer.post("/producers/khong-co/enquiry/", buyer_data()).status_code == 404


# --- Stored and mailed ---------------------------------------------------------------------------------


def test_an_enquiry_is_stored_and_mailed_to_producer_staff_and_buyer(
    buyer, world, mailoutbox, django_capture_on_commit_callbacks
):
    response = post(
        buyer, enquiry_url(world.sl_producer), buyer_data(products=[world.tea.pk]), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("products:enquiry_sent")
    [enquiry] = Enquiry.objects.all()
    assert enquiry.producer == world.sl_producer
    assert list(enquiry.products.all()) == [world.tea]
    assert enquiry.status == Enquiry.Status.NEW
    assert (enquiry.buyer_name, enquiry.organisation, enquiry.email) == (
        "Nguyễn Thị Lan",
        "Siêu thị Xanh Hà Nội",
        "lan@sieuthixanh.example",
    )
    assert enquiry.message == "Chúng tôi muốn nhập chè cho chuỗi siêu thị.\nXin gửi báo giá sỉ và quy cách đóng gói."
    assert re.fullmatch(r"YC-[A-Z2-9]{8}", enquiry.reference)

    by_recipient = {tuple(mail.to): mail for mail in mailoutbox}
    assert set(by_recipient) == {
        ("htx.taxua@example.vn",),
        ("sonla.ocop@example.gov.vn",),
        ("lan@sieuthixanh.example",),
    }
    to_producer = by_recipient[("htx.taxua@example.vn",)]
    assert enquiry.reference in to_producer.subject
    assert to_producer.reply_to == ["lan@sieuthixanh.example"]
    for expected in ("Nguyễn Thị Lan", "Siêu thị Xanh Hà Nội", "0912 345 678", "Chè Shan tuyết Tà Xùa", "500 hộp"):
        assert expected in to_producer.body
    assert "&amp;" not in to_producer.body
    to_staff = by_recipient[("sonla.ocop@example.gov.vn",)]
    assert f"/admin/products/enquiry/{enquiry.pk}/change/" in to_staff.body
    confirmation = by_recipient[("lan@sieuthixanh.example",)]
    assert enquiry.reference in confirmation.subject
    assert "HTX Chè Tà Xùa" in confirmation.body
    assert confirmation.extra_headers["Auto-Submitted"] == "auto-generated"
    # The other province's staff hear nothing of it.
    assert not any("quangninh.ocop@example.gov.vn" in mail.to for mail in mailoutbox)


def test_the_buyer_sees_a_confirmation_page_and_nobody_else_does(buyer, world, django_capture_on_commit_callbacks):
    post(buyer, enquiry_url(world.sl_producer), buyer_data(products=[world.tea.pk]), django_capture_on_commit_callbacks)
    enquiry = Enquiry.objects.get()
    page = text(buyer.get(reverse("products:enquiry_sent")))
    assert enquiry.reference in page
    assert "HTX Chè Tà Xùa" in page and "0212 111 222" in page
    assert "Thư xác nhận đã được gửi tới lan@sieuthixanh.example" in page
    stranger = text(Client().get(reverse("products:enquiry_sent")))
    assert enquiry.reference not in stranger and "lan@sieuthixanh.example" not in stranger
    assert "Không có yêu cầu nào vừa gửi" in stranger


def test_an_enquiry_never_shows_on_public_pages(client, buyer, world, django_capture_on_commit_callbacks):
    post(
        buyer,
        enquiry_url(world.sl_producer),
        buyer_data(message="Thông điệp riêng tư 7Q3X", products=[world.tea.pk]),
        django_capture_on_commit_callbacks,
    )
    for url in (
        world.tea.get_absolute_url(),
        world.sl_producer.get_absolute_url(),
        "/products/",
        "/api/products/",
        "/products/export.csv",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "Thông điệp riêng tư 7Q3X".encode() not in body
        assert b"lan@sieuthixanh.example" not in body


def test_a_producer_without_email_is_reached_through_the_staff(
    buyer, world, mailoutbox, django_capture_on_commit_callbacks
):
    world.qn_producer.email = ""
    world.qn_producer.save()
    post(
        buyer,
        enquiry_url(world.qn_producer),
        buyer_data(email="", products=[world.fish_sauce.pk]),
        django_capture_on_commit_callbacks,
    )
    assert Enquiry.objects.get().phone == "0912 345 678"
    [staff_mail] = mailoutbox  # no producer address, no buyer address: the staff alone
    assert staff_mail.to == ["quangninh.ocop@example.gov.vn"]
    assert "Chủ thể chưa có email" in staff_mail.body
    assert staff_mail.reply_to == []


def test_a_failing_mail_server_loses_no_enquiry(buyer, world, settings, django_capture_on_commit_callbacks):
    # A real SMTP backend aimed at a closed port: the connection is refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = post(
        buyer, enquiry_url(world.sl_producer), buyer_data(products=[world.tea.pk]), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert Enquiry.objects.get().status == Enquiry.Status.NEW


def test_saving_an_enquiry_leaves_the_catalogue_cache_alone(buyer, world, django_capture_on_commit_callbacks):
    before = catalogue_cache.current_version()
    post(buyer, enquiry_url(world.sl_producer), buyer_data(), django_capture_on_commit_callbacks)
    assert Enquiry.objects.count() == 1
    assert catalogue_cache.current_version() == before


# --- Several producers from the shortlist ----------------------------------------------------------------


def shortlisted(client, *products):
    session = client.session
    session[SESSION_KEY] = [product.pk for product in products]
    session.save()


def test_one_shortlist_enquiry_makes_one_message_per_producer(
    buyer, world, mailoutbox, django_capture_on_commit_callbacks
):
    shortlisted(buyer, world.tea, world.fish_sauce, world.honey)
    form_page = buyer.get(reverse("products:shortlist_enquiry"))
    assert form_page.status_code == 200
    assert sorted(form_page.context["form"]["products"].initial) == sorted(
        [world.tea.pk, world.fish_sauce.pk, world.honey.pk]
    )
    response = post(
        buyer,
        reverse("products:shortlist_enquiry"),
        buyer_data(products=[world.tea.pk, world.honey.pk, world.fish_sauce.pk]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    sl, qn = Enquiry.objects.get(producer=world.sl_producer), Enquiry.objects.get(producer=world.qn_producer)
    assert sl.reference == qn.reference
    assert set(sl.products.all()) == {world.tea, world.honey}
    assert list(qn.products.all()) == [world.fish_sauce]
    recipients = sorted(tuple(mail.to) for mail in mailoutbox)
    assert recipients == sorted(
        [
            ("htx.taxua@example.vn",),
            ("sonla.ocop@example.gov.vn",),
            ("caironng@example.vn",),
            ("quangninh.ocop@example.gov.vn",),
            ("lan@sieuthixanh.example",),
        ]
    )
    to_qn = next(mail for mail in mailoutbox if mail.to == ["caironng@example.vn"])
    assert "Nước mắm Cái Rồng" in to_qn.body and "Chè Shan tuyết" not in to_qn.body
    [confirmation] = [mail for mail in mailoutbox if mail.to == ["lan@sieuthixanh.example"]]
    assert "HTX Chè Tà Xùa" in confirmation.body and "Công ty Nước mắm Cái Rồng" in confirmation.body
    page = text(buyer.get(reverse("products:enquiry_sent")))
    assert page.index("HTX Chè Tà Xùa") < page.index("Công ty Nước mắm Cái Rồng")


def test_a_producer_whose_products_are_all_unticked_gets_nothing(buyer, world, django_capture_on_commit_callbacks):
    shortlisted(buyer, world.tea, world.fish_sauce)
    post(
        buyer,
        reverse("products:shortlist_enquiry"),
        buyer_data(products=[world.fish_sauce.pk]),
        django_capture_on_commit_callbacks,
    )
    assert list(Enquiry.objects.values_list("producer", flat=True)) == [world.qn_producer.pk]


def test_a_shortlist_enquiry_needs_a_product_and_only_shortlisted_ones(buyer, world):
    shortlisted(buyer, world.tea)
    nothing = buyer.post(reverse("products:shortlist_enquiry"), buyer_data())
    assert nothing.status_code == 200 and nothing.context["form"].errors["products"]
    foreign = buyer.post(reverse("products:shortlist_enquiry"), buyer_data(products=[world.fish_sauce.pk]))
    assert foreign.status_code == 200 and foreign.context["form"].errors["products"]
    assert not Enquiry.objects.exists()


def test_an_empty_shortlist_has_nothing_to_send(buyer, world):
    page = buyer.get(reverse("products:shortlist_enquiry"))
    assert page.status_code == 200
    assert "Danh sách chọn đang trống" in text(page)
    assert buyer.post(reverse("products:shortlist_enquiry"), buyer_data()).status_code == 200
    assert not Enquiry.objects.exists()


# --- Refused: honeypot, rate limit, validation, CSRF ---------------------------------------------------------


def test_the_honeypot_refuses_with_a_clear_message_and_stores_nothing(buyer, world, mailoutbox):
    response = buyer.post(enquiry_url(world.sl_producer), buyer_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "Yêu cầu chưa được gửi: ô “Để trống ô này”" in text(response)
    assert 'role="alert"' in text(response)
    assert not Enquiry.objects.exists()
    assert mailoutbox == []


def test_the_rate_limit_refuses_with_a_clear_message_and_stores_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    address = new_address()
    buyer = Client(REMOTE_ADDR=address)
    for _ in range(enquiries.RATE_LIMIT):
        assert (
            post(buyer, enquiry_url(world.sl_producer), buyer_data(), django_capture_on_commit_callbacks).status_code
            == 302
        )
    sent_mails = len(mailoutbox)
    refused = post(buyer, enquiry_url(world.sl_producer), buyer_data(), django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(enquiries.RATE_WINDOW_SECONDS)
    assert f"đã gửi {enquiries.RATE_LIMIT} yêu cầu trong {enquiries.rate_window_minutes()} phút qua" in text(refused)
    assert Enquiry.objects.count() == enquiries.RATE_LIMIT
    assert len(mailoutbox) == sent_mails
    # The buyer's text is kept in the form, so nothing typed is lost.
    assert "Siêu thị Xanh Hà Nội" in text(refused)
    # The shortlist form counts against the same address.
    shortlisted(buyer, world.tea)
    assert buyer.post(reverse("products:shortlist_enquiry"), buyer_data(products=[world.tea.pk])).status_code == 429
    # Another address is not held back.
    other = Client(REMOTE_ADDR=new_address())
    assert (
        post(other, enquiry_url(world.sl_producer), buyer_data(), django_capture_on_commit_callbacks).status_code == 302
    )


def test_the_rate_count_lives_in_the_shared_catalogue_cache_without_the_address(
    world, django_capture_on_commit_callbacks
):
    address = new_address()
    post(Client(REMOTE_ADDR=address), enquiry_url(world.sl_producer), buyer_data(), django_capture_on_commit_callbacks)
    key = enquiries._rate_key(address)
    assert address not in key
    assert caches["catalogue"].get(key) == 1
    assert caches["default"].get(key) is None


def test_honeypot_submissions_count_towards_the_rate_limit(world):
    buyer = Client(REMOTE_ADDR=new_address())
    for _ in range(enquiries.RATE_LIMIT):
        assert buyer.post(enquiry_url(world.sl_producer), buyer_data(website="x")).status_code == 400
    assert buyer.post(enquiry_url(world.sl_producer), buyer_data()).status_code == 429
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "", "phone": ""}, "__all__"),
        ({"email": "không-phải-email"}, "email"),
        ({"phone": "gọi tôi"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"message": "x" * 3001}, "message"),
        ({"message": "   "}, "message"),
        ({"location": ""}, "location"),
        ({"consent": None}, "consent"),
        ({"products": ["999999"]}, "products"),
        ({"products": ["abc"]}, "products"),
    ],
)
def test_invalid_input_is_explained_and_stores_nothing(buyer, world, changes, field):
    response = buyer.post(enquiry_url(world.sl_producer), buyer_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Yêu cầu chưa được gửi. Vui lòng kiểm tra các ô được đánh dấu bên dưới." in text(response)
    assert not Enquiry.objects.exists()


def test_control_characters_and_line_breaks_are_tidied(buyer, world, django_capture_on_commit_callbacks):
    data = buyer_data(
        organisation="Siêu thị\r\nXanh\x07", location="Hà\x00Nội", message="Dòng một\x1b[31m\r\n\r\n\r\n\r\nDòng hai  "
    )
    post(buyer, enquiry_url(world.sl_producer), data, django_capture_on_commit_callbacks)
    enquiry = Enquiry.objects.get()
    assert enquiry.organisation == "Siêu thị Xanh"
    assert enquiry.location == "Hà Nội"
    assert enquiry.message == "Dòng một [31m\n\nDòng hai"


def test_csrf_is_required(world):
    buyer = Client(enforce_csrf_checks=True, REMOTE_ADDR=new_address())
    assert buyer.post(enquiry_url(world.sl_producer), buyer_data()).status_code == 403
    assert not Enquiry.objects.exists()


def test_get_and_post_only(buyer, world):
    assert buyer.put(enquiry_url(world.sl_producer)).status_code == 405
    assert buyer.post(reverse("products:enquiry_sent")).status_code == 405


def test_english_form_and_confirmation_mail(buyer, world, mailoutbox, django_capture_on_commit_callbacks):
    url = "/en" + enquiry_url(world.sl_producer)
    page = text(buyer.get(url))
    assert "How we use your details" in page and "Họ và tên" not in page
    post(buyer, url, buyer_data(products=[world.tea.pk]), django_capture_on_commit_callbacks)
    assert Enquiry.objects.get().language == "en"
    [confirmation] = [mail for mail in mailoutbox if mail.to == ["lan@sieuthixanh.example"]]
    assert "We have received your trade enquiry" in confirmation.body
    to_producer = next(mail for mail in mailoutbox if mail.to == ["htx.taxua@example.vn"])
    assert "Kính gửi HTX Chè Tà Xùa" in to_producer.body  # producers read Vietnamese


# --- Whatever a visitor posts: never a server error ---------------------------------------------------------

FIELDS = ["name", "organisation", "email", "phone", "location", "products", "quantity", "message", "consent", "website"]


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    posted=st.dictionaries(
        st.sampled_from([*FIELDS, "csrfmiddlewaretoken", "x"]),
        st.lists(
            st.one_of(st.text(max_size=40), st.sampled_from(["", "\x00", "x" * 4000, "-1", "9" * 30, "on"])), max_size=3
        ),
    ),
    shortlist=st.booleans(),
)
def test_any_posted_form_gives_a_page_never_an_error(world, posted, shortlist):
    buyer = Client(REMOTE_ADDR=new_address())
    if shortlist:
        session = buyer.session
        session[SESSION_KEY] = [world.tea.pk, world.fish_sauce.pk]
        session.save()
    url = reverse("products:shortlist_enquiry") if shortlist else enquiry_url(world.sl_producer)
    response = buyer.post(url, posted)
    assert response.status_code in (200, 302, 400)
    for name in ("products:shortlist_add", "products:shortlist_remove"):
        assert buyer.post(reverse(name), posted).status_code in (302, 404)


def test_the_form_makes_the_same_queries_for_2_or_20_products(world):
    buyer = Client(REMOTE_ADDR=new_address())
    shortlisted(buyer, world.tea)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert buyer.get(enquiry_url(world.sl_producer)).status_code == 200
        return len(queries)

    small = count()
    for _ in range(18):
        f.product(producer_obj=world.sl_producer)
    assert count() == small
    assert small <= 4
