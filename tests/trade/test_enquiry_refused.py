"""Trade enquiries refused (honeypot, rate limit, invalid input, CSRF), and whatever is posted, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.trade.trade_world import build_trade_world, buyer_data, enquiry_url, new_address, post, shortlisted, text
from trade import enquiries
from trade.models import Enquiry, SubmissionWindow
from trade.shortlist import SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_trade_world()


@pytest.fixture
def buyer():
    return Client(REMOTE_ADDR=new_address())


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


def test_the_rate_count_lives_in_the_database_without_the_address(world, django_capture_on_commit_callbacks):
    address = new_address()
    post(Client(REMOTE_ADDR=address), enquiry_url(world.sl_producer), buyer_data(), django_capture_on_commit_callbacks)
    key = enquiries._rate_key(address)
    assert address not in key
    assert SubmissionWindow.objects.get(key=key).count == 1
    assert enquiries.submissions(address) == 1


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


def test_an_overlong_name_is_reported_with_its_real_length(buyer, world):
    response = buyer.post(enquiry_url(world.sl_producer), buyer_data(name="x" * 20_000))
    [message] = response.context["form"].errors["name"]
    assert "(hiện có 20000)" in message  # what was typed, not a shortened copy of it
    assert not Enquiry.objects.exists()


def test_the_messages_say_what_is_wrong_in_the_sites_words(buyer, world):
    """Django's own Vietnamese says "Nhập địa chỉ email." for an address that is not valid, and "kí tự"."""
    response = buyer.post(enquiry_url(world.sl_producer), buyer_data(email="lan@", message="x" * 3001))
    errors = response.context["form"].errors
    assert errors["email"] == ["Địa chỉ email không hợp lệ (ví dụ đúng: ten@tenmien.vn)."]
    assert "ký tự" in errors["message"][0] and "kí tự" not in text(response)


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
