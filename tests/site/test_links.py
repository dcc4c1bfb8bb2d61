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


def test_arguments_are_keyed_with_their_types():
    # 1 == True and hash alike: keyed by value alone, the second would get the first's address.
    assert links.reversed_url("products:product_detail", kwargs={"slug": 1}) == "/products/1/"
    assert links.reversed_url("products:product_detail", kwargs={"slug": True}) == "/products/True/"
    assert links.reversed_url("products:product_detail", args=["x"]) == reverse("products:product_detail", args=["x"])


def test_an_argument_that_cannot_be_a_key_is_reversed_each_time():
    class Slug(str):
        __hash__ = None  # cannot be a key

    value = Slug("a-b")
    assert links.reversed_url("products:product_detail", kwargs={"slug": value}) == "/products/a-b/"
    assert links.reversed_url("products:product_detail", kwargs={"slug": value}) == "/products/a-b/"


def test_the_current_app_is_part_of_the_key():
    links._reverse.cache_clear()
    links.reversed_url("products:product_list", current_app=None)
    links.reversed_url("products:product_list", current_app="products")
    assert links._reverse.cache_info().misses == 2


# --- {% url %}: Django's syntax, the addresses remembered ------------------------------------------------


def render(source, **context):
    from django.template import engines

    template = engines["django"].from_string(source)
    return template.template, template.render(context)


def test_every_template_gets_the_remembered_url_tag(monkeypatch):
    from core.templatetags.links import RememberedURLNode

    links._reverse.cache_clear()
    calls = []
    real = links.reverse
    monkeypatch.setattr(links, "reverse", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    template, first = render("{% url 'producers:province_detail' slug %}|{% url 'home' %}", slug="son-la")
    assert isinstance(template.nodelist[0], RememberedURLNode)  # no {% load %}: a builtin of the engine
    assert first == f"{reverse('producers:province_detail', kwargs={'slug': 'son-la'})}|{reverse('home')}"
    assert render("{% url 'producers:province_detail' slug %}|{% url 'home' %}", slug="son-la")[1] == first
    assert len(calls) == 2  # the second render reversed nothing
    with translation.override("en"):
        assert render("{% url 'home' %}")[1] == "/en/"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% url 'products:product_detail' slug=slug %}", "/products/a-b/"),
        ("{% url 'products:product_detail' slug as link %}[{{ link }}]", "[/products/a-b/]"),
        ("{% url 'no-such-page' as link %}[{{ link }}]", "[]"),  # `as`: an empty address, as Django's tag
        ("{% autoescape off %}{% url 'products:product_list' %}{% endautoescape %}", "/products/"),
    ],
)
def test_the_tag_writes_what_django_s_own_writes(source, expected):
    from django.template import Context, Engine

    assert render(source, slug="a-b")[1] == expected
    django_only = Engine(libraries={}, builtins=[])  # Django's own tags alone
    assert django_only.from_string(source).render(Context({"slug": "a-b"})) == expected


def test_an_unknown_page_still_raises():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")
