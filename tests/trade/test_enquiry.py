"""Trade enquiries: the form, stored and mailed, one per producer from the shortlist, never public.

Refused enquiries (honeypot, rate limit, invalid input, CSRF): test_enquiry_refused.py."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import cache as catalogue_cache
from tests import factories as f
from tests.trade.trade_world import build_trade_world, buyer_data, enquiry_url, new_address, post, shortlisted, text
from trade import enquiries
from trade.models import Enquiry
from trade.shortlist import SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_trade_world()


@pytest.fixture
def buyer():
    return Client(REMOTE_ADDR=new_address())


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


def test_an_enquiry_is_stored(buyer, world, django_capture_on_commit_callbacks):
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


def test_an_enquiry_is_mailed_to_producer_staff_and_buyer(buyer, world, mailoutbox, django_capture_on_commit_callbacks):
    post(buyer, enquiry_url(world.sl_producer), buyer_data(products=[world.tea.pk]), django_capture_on_commit_callbacks)
    enquiry = Enquiry.objects.get()
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
    assert f"/admin/trade/enquiry/{enquiry.pk}/change/" in to_staff.body
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


def test_the_buyers_confirmation_mail_says_who_received_it_as_the_page_does(
    buyer, world, mailoutbox, django_capture_on_commit_callbacks
):
    """A producer with no address, in a province with no staff to mail: nobody received that enquiry, and
    the buyer's mail must not say it was passed on (it said so before: "chủ thể ... đã nhận đầy đủ")."""
    world.qn_producer.email = ""
    world.qn_producer.save()
    world.qn_staff.email = ""
    world.qn_staff.save()
    post(
        buyer,
        enquiry_url(world.qn_producer),
        buyer_data(products=[world.fish_sauce.pk]),
        django_capture_on_commit_callbacks,
    )
    [confirmation] = mailoutbox  # nobody else was mailed
    assert confirmation.to == ["lan@sieuthixanh.example"]
    assert "Chưa ai nhận thư về 1 chủ thể" in confirmation.body
    assert "Bạn nên liên hệ trực tiếp:\n- Công ty Nước mắm Cái Rồng" in confirmation.body
    assert "đã nhận đầy đủ" not in confirmation.body and "sẽ liên hệ lại" not in confirmation.body
    page = text(buyer.get(reverse("products:enquiry_sent")))
    assert "Chưa ai nhận thư về 1 chủ thể" in page


def confirmation_of_tea_and_fish_sauce(buyer, world, mailoutbox, capture):
    """The buyer's confirmation mail of one shortlist enquiry to both provinces' producers."""
    shortlisted(buyer, world.tea, world.fish_sauce)
    post(
        buyer,
        reverse("products:shortlist_enquiry"),
        buyer_data(products=[world.tea.pk, world.fish_sauce.pk]),
        capture,
    )
    [confirmation] = [mail for mail in mailoutbox if mail.to == ["lan@sieuthixanh.example"]]
    return confirmation.body


def test_a_confirmation_mail_lists_mailed_and_forwarded_producers_apart(
    buyer, world, mailoutbox, django_capture_on_commit_callbacks
):
    world.qn_producer.email = ""  # its province's staff pass it on
    world.qn_producer.save()
    body = confirmation_of_tea_and_fish_sauce(buyer, world, mailoutbox, django_capture_on_commit_callbacks)
    mailed = body.index("Đã gửi thư tới 1 chủ thể có địa chỉ email:")
    forwarded = body.index("1 chủ thể chưa có email trong danh mục; cán bộ phụ trách OCOP của tỉnh đã nhận bản sao")
    assert mailed < body.index("HTX Chè Tà Xùa") < forwarded < body.index("Công ty Nước mắm Cái Rồng")
    assert "Chưa ai nhận thư" not in body
    assert "những người nhận nêu trên đã nhận đầy đủ" in body


def test_a_confirmation_mail_says_last_whom_nobody_received(
    buyer, world, mailoutbox, django_capture_on_commit_callbacks
):
    """One producer mailed, one that nobody received: "the recipients above received it" must not run on
    into the producer to call, which comes last, after the sentences about those who received it."""
    world.qn_producer.email = ""
    world.qn_producer.save()
    world.qn_staff.email = ""
    world.qn_staff.save()
    body = confirmation_of_tea_and_fish_sauce(buyer, world, mailoutbox, django_capture_on_commit_callbacks)
    order = [
        "Đã gửi thư tới 1 chủ thể có địa chỉ email:",
        "HTX Chè Tà Xùa",
        "Cán bộ phụ trách OCOP của tỉnh cũng nhận một bản sao",  # Sơn La's staff, as the page says
        "những người nhận nêu trên đã nhận đầy đủ",
        "Chưa ai nhận thư về 1 chủ thể",
        "Công ty Nước mắm Cái Rồng",
    ]
    assert [body.index(text) for text in order] == sorted(body.index(text) for text in order)


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
