"""CSRF on the POST endpoints no page's form leads to: the language switch (the site links to /en/
instead) and the verify page (a GET form)."""

import pytest
from django.conf import settings
from django.test import Client

from tests.admin_world import build_world
from tests.site.page_forms import html_forms

pytestmark = pytest.mark.django_db

OTHER_TOKEN = "a" * 64  # a well-formed token that belongs to nobody here


@pytest.fixture
def world():
    return build_world()


def test_the_language_switch_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    path = world.sl.producer.get_absolute_url() + "enquiry/"
    page = client.get(path)
    form = next(f for f in html_forms(page.content, path) if f.method == "post")
    token = form.data()["csrfmiddlewaretoken"][0]
    data = {"language": "en", "next": "/products/"}
    assert client.post("/i18n/setlang/", data).status_code == 403
    assert client.post("/i18n/setlang/", {**data, "csrfmiddlewaretoken": OTHER_TOKEN}).status_code == 403
    assert (
        settings.LANGUAGE_COOKIE_NAME not in client.cookies or not client.cookies[settings.LANGUAGE_COOKIE_NAME].value
    )
    switched = client.post("/i18n/setlang/", {**data, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    assert switched["Location"] == "/en/products/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_verify_page_only_reads(world):
    """The verify page is a GET form: nothing to protect, and a POST is refused outright."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/certificates/verify/")
    assert [f.method for f in html_forms(page.content, "/certificates/verify/")] == ["get", "get"]
    assert client.post("/certificates/verify/", {"number": "1"}).status_code in (403, 405)
