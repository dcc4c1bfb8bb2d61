"""Enquiries in the back-office: each province's staff see and follow up only the enquiries to
their producers; what the buyer wrote cannot be changed; nobody adds an enquiry by hand."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_world import staff_user
from trade import enquiries
from trade.models import Enquiry

from .trade_world import build_trade_world

pytestmark = pytest.mark.django_db

BUYER = enquiries.Buyer(
    name="Trần Văn Bình",
    organisation="Cửa hàng Đặc sản Bình An",
    email="binh@example.vn",
    phone="",
    location="Đà Nẵng",
    quantity="",
    message="Xin báo giá.",
)


@pytest.fixture
def world():
    world = build_trade_world()
    world.sl_enquiry, world.qn_enquiry = enquiries.send_enquiries(
        buyer=BUYER,
        products_by_producer=[(world.sl_producer, [world.tea]), (world.qn_producer, [world.fish_sauce])],
    )
    return world


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def changelist(client, **params):
    return client.get(reverse("admin:trade_enquiry_changelist"), params)


def change_url(enquiry):
    return reverse("admin:trade_enquiry_change", args=[enquiry.pk])


@pytest.mark.parametrize("who", ["sl", "qn"])
def test_provincial_staff_see_only_their_provinces_enquiries(world, who):
    own, other = (world.sl_enquiry, world.qn_enquiry) if who == "sl" else (world.qn_enquiry, world.sl_enquiry)
    client = client_for(world.sl_staff if who == "sl" else world.qn_staff)
    response = changelist(client)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    assert other.producer.name not in response.content.decode()
    assert client.get(change_url(own)).status_code == 200
    assert client.get(change_url(other)).status_code == 404
    assert client.get(reverse("admin:trade_enquiry_delete", args=[other.pk])).status_code == 404
    # Asking for the other province through the filter parameter gives nothing of it.
    tampered = changelist(client, producer__province__id__exact=other.producer.province_id)
    assert other not in tampered.context["cl"].result_list


def test_national_staff_and_superusers_see_every_province(world):
    national = staff_user("nv_trunguong", group="National staff")
    superuser = staff_user("quantri", group="National staff")
    superuser.is_superuser = True
    superuser.save()
    for user in (national, superuser):
        assert set(changelist(client_for(user)).context["cl"].result_list) == {world.sl_enquiry, world.qn_enquiry}


def test_staff_of_a_province_with_no_enquiry_see_none(world):
    hanoi = staff_user("nv_hanoi", provinces=["ha-noi"])
    assert list(changelist(client_for(hanoi)).context["cl"].result_list) == []


def test_buyer_fields_are_read_only_and_the_status_changes(world):
    client = client_for(world.sl_staff)
    page = client.get(change_url(world.sl_enquiry)).content.decode()
    assert 'name="buyer_name"' not in page and 'name="message"' not in page and 'name="email"' not in page
    assert "Trần Văn Bình" in page and "Cửa hàng Đặc sản Bình An" in page and "Chè Shan tuyết Tà Xùa" in page
    response = client.post(
        change_url(world.sl_enquiry),
        {"status": "answered", "staff_notes": "Đã gọi điện cho người mua.", "buyer_name": "Kẻ giả mạo"},
    )
    assert response.status_code == 302
    world.sl_enquiry.refresh_from_db()
    assert world.sl_enquiry.status == "answered"
    assert world.sl_enquiry.staff_notes == "Đã gọi điện cho người mua."
    assert world.sl_enquiry.buyer_name == "Trần Văn Bình"


def test_nobody_adds_an_enquiry_in_the_admin(world):
    client = client_for(world.sl_staff)
    assert client.get(reverse("admin:trade_enquiry_add")).status_code == 403
    assert "trade_enquiry_add" not in changelist(client).content.decode()


def test_status_actions_stay_in_the_province(world):
    client = client_for(world.sl_staff)
    response = client.post(
        reverse("admin:trade_enquiry_changelist"),
        {"action": "mark_closed", "_selected_action": [world.sl_enquiry.pk, world.qn_enquiry.pk]},
    )
    assert response.status_code == 302
    world.sl_enquiry.refresh_from_db()
    world.qn_enquiry.refresh_from_db()
    assert world.sl_enquiry.status == Enquiry.Status.CLOSED
    assert world.qn_enquiry.status == Enquiry.Status.NEW


def test_staff_may_delete_their_provinces_enquiry(world):
    client = client_for(world.sl_staff)
    response = client.post(reverse("admin:trade_enquiry_delete", args=[world.sl_enquiry.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(Enquiry.objects.all()) == [world.qn_enquiry]


def test_the_changelist_makes_the_same_queries_for_2_or_20_enquiries(world):
    client = client_for(world.sl_staff)
    changelist(client)  # warm: sessions, permissions, content types

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert changelist(client).status_code == 200
        return len(queries)

    small = count()
    for _ in range(18):
        enquiries.send_enquiries(buyer=BUYER, products_by_producer=[(world.sl_producer, [world.tea, world.honey])])
    assert count() == small
