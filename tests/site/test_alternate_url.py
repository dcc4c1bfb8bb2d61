"""The other language's address of a page (the `alternate_url` tag: the header's language links, the
hreflang links) is what Django's translate_url() gives, from the request's own match."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation

from tests import factories as f

pytestmark = pytest.mark.django_db

PATHS = [
    "/",
    "/en/",
    "/products/",
    "/products/?q=ch%C3%A8+shan&province=son-la&page=2",
    "/en/products/?stars=4",
    "/provinces/son-la/",
    "/en/provinces/son-la/",
    "/producers/",
    "/certificates/",
    "/certificates/verify/?number=1032%2FQ%C4%90-UBND",
    "/shortlist/",
    "/no-such-page/",
    "/sitemap.xml",
]
TAG = engines["django"].from_string("{% load catalogue %}{% alternate_url 'vi' %} {% alternate_url 'en' %}")


@pytest.mark.parametrize("path", PATHS + ["PRODUCT", "/en/PRODUCT", "PRODUCT?utm_source=x"])
def test_the_other_languages_address_is_translate_urls(path):
    product = f.product(name="Chè Shan tuyết")
    path = path.replace(
        "PRODUCT", product.get_absolute_url().lstrip("/") if path.startswith("/en") else product.get_absolute_url()
    )
    request = RequestFactory().get(path)
    language = "en" if path.startswith("/en/") else "vi"
    with translation.override(language):  # as LocaleMiddleware does before the URL is resolved
        try:
            request.resolver_match = resolve(request.path_info)
        except Resolver404:
            request.resolver_match = None
        assert request.resolver_match is not None or path in ("/no-such-page/",)
        rendered = TAG.render({}, request)
        expected = f"{translate_url(request.get_full_path(), 'vi')} {translate_url(request.get_full_path(), 'en')}"
    assert rendered == expected.replace("&", "&amp;")


def test_an_english_list_links_to_its_vietnamese_page_with_its_query():
    request = RequestFactory().get("/en/products/?stars=4&q=ch%C3%A8")
    with translation.override("en"):
        request.resolver_match = resolve(request.path_info)
        assert TAG.render({}, request) == "/products/?stars=4&amp;q=ch%C3%A8 /en/products/?stars=4&amp;q=ch%C3%A8"


def test_behind_a_script_prefix_the_prefix_is_kept():
    request = RequestFactory().get("/products/?a=1", SCRIPT_NAME="/app")
    assert request.path == "/app/products/" and request.path_info == "/products/"
    with translation.override("vi"):
        request.resolver_match = resolve(request.path_info)
        assert TAG.render({}, request) == "/app/products/?a=1 /app/en/products/?a=1"
    request = RequestFactory().get("/en/", SCRIPT_NAME="/app")
    with translation.override("en"):
        request.resolver_match = resolve(request.path_info)
        assert TAG.render({}, request) == "/app/ /app/en/"


def test_every_page_under_the_language_prefix_is_named_and_no_name_is_on_both_sides():
    """alternate_url tells the pages under i18n_patterns by their names (`_language_prefixed_views`)."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import LocalePrefixPattern

    from ocop_catalogue.templatetags.catalogue import _language_prefixed_views

    inside, outside, unnamed = set(), set(), []

    def walk(patterns, namespace, prefixed):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, prefixed or isinstance(pattern.pattern, LocalePrefixPattern))
            elif pattern.name:
                (inside if prefixed else outside).add(namespace + pattern.name)
            elif prefixed:
                unnamed.append(str(pattern.pattern))

    walk(get_resolver().url_patterns, "", False)
    assert not unnamed
    assert not inside & outside
    assert _language_prefixed_views(get_resolver()) == inside
    assert {"home", "products:product_detail", "producers:province_detail"} <= inside
    assert "sitemap" not in inside
