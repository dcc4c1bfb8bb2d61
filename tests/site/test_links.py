"""core.links.page_url: the address reverse() gives, in the active language and script prefix, worked out once."""

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from core import links
from producers.models import Province

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_address_is_reverses_in_each_language(language):
    with translation.override(language):
        assert links.page_url("producers:province_detail", slug="son-la") == reverse(
            "producers:province_detail", kwargs={"slug": "son-la"}
        )
        assert links.page_url("products:product_list") == reverse("products:product_list")
    english = translation.override("en")
    with english:
        assert links.page_url("products:product_list").startswith("/en/")


def test_the_script_prefix_is_part_of_the_key():
    plain = links.page_url("products:product_list")
    set_script_prefix("/catalogue/")
    try:
        assert links.page_url("products:product_list") == "/catalogue" + plain
    finally:
        set_script_prefix("/")
    assert links.page_url("products:product_list") == plain


def test_an_address_is_reversed_once_then_remembered(monkeypatch):
    links._reverse.cache_clear()
    calls = []
    real = links.reverse
    monkeypatch.setattr(links, "reverse", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    province = Province(slug="lao-cai", name="Lào Cai")
    first = [province.get_absolute_url() for _ in range(5)]
    assert len(set(first)) == 1 and len(calls) == 1
    with translation.override("en"):
        assert province.get_absolute_url() == "/en" + first[0]
    assert len(calls) == 2


def test_a_settings_change_forgets_the_addresses():
    links.page_url("products:product_list")
    assert links._reverse.cache_info().currsize
    with override_settings(APPEND_SLASH=True):
        assert links._reverse.cache_info().currsize == 0
