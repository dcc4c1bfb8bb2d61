"""Back-office details that were holes: a malformed export filter, a province filter that a one-province
account's sidebar does not show, formula cells in admin exports, the "view on site" shortcut, the staff
idle timeout."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from products.models import Product
from tests.admin_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_export_with_a_filter_the_list_does_not_know_is_a_message_not_a_500(world):
    client = client_for(world.sl.staff)
    client.raise_request_exception = False
    response = client.post("/admin/products/product/export/?foo=1", {"format": "1", "resource": "0"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:products_product_changelist")


def test_another_provinces_filter_in_the_url_selects_nothing_for_one_province_staff(world):
    client = client_for(world.sl.staff)
    url = reverse("admin:products_product_changelist") + f"?producer__province__id__exact={world.qn.province.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0
    # "Select all" then an action acts on that (empty) list, never on every row of their province.
    client.post(url, {"action": "unpublish", "select_across": "1", "index": "0", "_selected_action": []})
    assert Product.objects.get(pk=world.sl.product.pk).is_published == world.sl.product.is_published
    own = client.get(
        reverse("admin:products_product_changelist") + f"?producer__province__id__exact={world.sl.province.pk}"
    )
    assert own.context["cl"].result_count == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_admin_exports_neutralise_every_formula_start(world, start):
    Product.objects.filter(pk=world.sl.product.pk).update(name=f'{start}HYPERLINK("http://x")')
    client = client_for(world.superuser)
    exported = client.post(reverse("admin:products_product_export"), {"format": "1", "resource": "0"})
    text = exported.content.decode("utf-8-sig")
    assert f"'{start}HYPERLINK" in text


def test_view_on_site_does_not_lead_to_another_provinces_unpublished_product(world):
    Product.objects.filter(pk=world.qn.product.pk).update(is_published=False)
    content_type = ContentType.objects.get_for_model(Product)
    client = client_for(world.sl.staff)
    other = reverse("admin:view_on_site", args=[content_type.pk, world.qn.product.pk])
    assert client.get(other).status_code == 404
    own = client.get(reverse("admin:view_on_site", args=[content_type.pk, world.sl.product.pk]))
    assert own.status_code == 302 and own["Location"].endswith(world.sl.product.get_absolute_url())
    assert client_for(world.superuser).get(other).status_code == 302


def test_a_staff_session_ends_after_two_idle_hours(world, settings):
    assert settings.STAFF_IDLE_SECONDS == 2 * 60 * 60
    client = client_for(world.sl.staff)
    assert client.get("/admin/").status_code == 200
    session = client.session
    assert session.get_expiry_age() == settings.STAFF_IDLE_SECONDS
    from django.contrib.sessions.models import Session

    row = Session.objects.get(session_key=session.session_key)
    assert row.expire_date <= timezone.now() + datetime.timedelta(seconds=settings.STAFF_IDLE_SECONDS + 5)
    # Two hours and a minute later, with no request in between:
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("text", ["=SUM(A1)", "+cmd|' /C calc'!A0", "-1+2", "@x", "'quoted", "+84 912 345 678", "Chè"])
def test_an_exported_cell_reads_back_as_it_was_written(text):
    from core.admin.imports import cell_text
    from core.cells import neutralise, restore

    assert restore(neutralise(text)) == text
    assert cell_text(neutralise(text)) == text
