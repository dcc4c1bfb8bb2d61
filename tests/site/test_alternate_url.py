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
