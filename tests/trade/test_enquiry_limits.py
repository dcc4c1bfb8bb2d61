"""Enquiry limits that hold under abuse: the per-address limit is atomic (many posts at once accept exactly
the limit, on PostgreSQL under real concurrency), one enquiry reaches a capped number of producers (and the
form says so), and the confirmation mail to an address nobody verified repeats nothing the visitor typed."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.trade.trade_world import build_trade_world, buyer_data, enquiry_url, new_address, post, shortlisted, text
from trade import enquiries
from trade.models import Enquiry, SubmissionWindow

SPAM = "MUA NGAY thuốc giảm cân http://spam.example"


@pytest.mark.django_db
def test_slots_are_counted_up_to_the_limit_and_no_further():
    address = new_address()
    taken = [enquiries.take_slot(address) for _ in range(enquiries.RATE_LIMIT + 3)]
    assert taken == [True] * enquiries.RATE_LIMIT + [False] * 3
    assert SubmissionWindow.objects.get(key=enquiries._rate_key(address)).count == enquiries.RATE_LIMIT


@pytest.mark.django_db
def test_a_passed_window_starts_again(settings):
    import datetime

    from django.utils import timezone

    address = new_address()
    for _ in range(enquiries.RATE_LIMIT):
        enquiries.take_slot(address)
    assert not enquiries.take_slot(address)
    earlier = timezone.now() - datetime.timedelta(seconds=enquiries.RATE_WINDOW_SECONDS + 5)
    SubmissionWindow.objects.filter(key=enquiries._rate_key(address)).update(started_at=earlier)
    assert not enquiries.rate_limited(address)
    assert enquiries.take_slot(address)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_simultaneous_posts_accept_exactly_the_limit():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite's in-memory test database serialises writers)")
    world = build_trade_world()
    address = new_address()
    url = enquiry_url(world.sl_producer)
    barrier = threading.Barrier(50)
    statuses = []

    def one():
        client = Client(REMOTE_ADDR=address)
        client.get(url)  # the CSRF cookie and a warm connection, before the race
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(url, buyer_data()).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302] * enquiries.RATE_LIMIT + [429] * (50 - enquiries.RATE_LIMIT)
    assert Enquiry.objects.count() == enquiries.RATE_LIMIT


@pytest.mark.django_db
def test_the_confirmation_repeats_nothing_the_visitor_typed(mailoutbox, django_capture_on_commit_callbacks):
    world = build_trade_world()
    data = buyer_data(name=SPAM, organisation=SPAM, message=SPAM, quantity=SPAM, email="victim@example.org")
    response = post(
        Client(REMOTE_ADDR=new_address()), enquiry_url(world.sl_producer), data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    [confirmation] = [mail for mail in mailoutbox if mail.to == ["victim@example.org"]]
    assert "spam.example" not in confirmation.body + confirmation.subject
    assert "thuốc giảm cân" not in confirmation.body + confirmation.subject
    assert Enquiry.objects.get().reference in confirmation.body
    # The producer still gets the whole message: they reply to a buyer, not to an unverified stranger.
    to_producer = next(mail for mail in mailoutbox if mail.to == ["htx.taxua@example.vn"])
    assert "thuốc giảm cân" in to_producer.body


@pytest.fixture
def many_producers():
    products = []
    for n in range(enquiries.MAX_PRODUCERS + 2):
        producer = f.producer(name=f"HTX số {n}", email=f"htx{n}@example.vn")
        products.append(f.product(name=f"Sản phẩm {n}", producer_obj=producer))
    return products


@pytest.mark.django_db
def test_the_form_states_the_producer_cap_and_ticks_no_more(many_producers):
    buyer = Client(REMOTE_ADDR=new_address())
    shortlisted(buyer, *many_producers)
    page = buyer.get(reverse("products:shortlist_enquiry"))
    assert f"Một yêu cầu gửi tới tối đa {enquiries.MAX_PRODUCERS} chủ thể." in text(page)
    assert len(page.context["form"].initial["products"]) == enquiries.MAX_PRODUCERS


@pytest.mark.django_db
def test_an_enquiry_to_more_producers_than_the_cap_is_refused(many_producers, mailoutbox):
    buyer = Client(REMOTE_ADDR=new_address())
    shortlisted(buyer, *many_producers)
    data = buyer_data(products=[p.pk for p in many_producers])
    response = buyer.post(reverse("products:shortlist_enquiry"), data)
    assert response.status_code == 200
    assert f"tối đa {enquiries.MAX_PRODUCERS} chủ thể" in text(response)
    assert not Enquiry.objects.exists()
    allowed = buyer_data(products=[p.pk for p in many_producers[: enquiries.MAX_PRODUCERS]])
    assert buyer.post(reverse("products:shortlist_enquiry"), allowed).status_code == 302
    assert Enquiry.objects.count() == enquiries.MAX_PRODUCERS
