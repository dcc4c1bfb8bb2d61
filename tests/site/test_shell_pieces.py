"""The page shell's pieces built for speed give what Django's own tags and the templates they replaced give:
`{% translate %}` of a literal kept per language (core/templatetags/i18n_kept.py), the breadcrumb trail
and the page links built in Python (the `breadcrumb_trail` and `pagination` tags, formerly
includes/breadcrumbs.html and includes/pagination.html)."""

import re

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import Context, Engine, engines
from django.test import Client, override_settings
from django.test.html import parse_html
from django.utils import translation

from core.templatetags import i18n_kept
from products.filters import ProductFilter
from tests import factories as f

# Literal texts (kept), one with a context, one `as`, and what is never kept: a filter, a variable, a context
# given by a variable, noop; with autoescape on and off; a text with a percent sign and markup.
SOURCE = (
    "{% load LIBRARY %}"
    '{% translate "Sản phẩm" %}|{% translate "Danh mục" context "menu" %}|{% translate "Tìm" as found %}{{ found }}|'
    '{% translate "Tìm"|upper %}|{% translate word %}|{% translate "Danh mục" context ctx %}|'
    '{% translate "Sản phẩm" noop %}|{% translate _("Tìm") %}|{% translate "50% <b>&</b>" %}|'
    '{% autoescape off %}{% translate "50% <b>&</b>" %}{% endautoescape %}'
)
VALUES = {"word": "Sản phẩm", "ctx": "menu"}


def _django(language):
    """The same template through Django's own i18n library."""
    engine = Engine(libraries={"i18n": "django.templatetags.i18n"})
    with translation.override(language):
        return engine.from_string(SOURCE.replace("LIBRARY", "i18n")).render(Context(VALUES))


def _ours(language):
    with translation.override(language):
        return engines["django"].from_string(SOURCE.replace("LIBRARY", "i18n_kept")).render(VALUES)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_kept_translations_are_what_djangos_tag_renders(language):
    i18n_kept.forget_all()
    expected = _django(language)
    assert _ours(language) == expected  # translated and kept
    assert _ours(language) == expected  # read from what was kept
    assert i18n_kept._KEPT, "nothing was kept"
    if language == "en":
        assert expected.startswith("Products|"), expected
        assert expected.endswith("|50% <b>&</b>|50% <b>&</b>")  # a template's own text is not escaped


def test_only_literal_texts_are_kept_each_per_language():
    i18n_kept.forget_all()
    _ours("vi")
    _ours("en")
    texts = {(key[0], key[1]) for key in i18n_kept._KEPT}
    assert texts == {("Sản phẩm", None), ("Danh mục", "menu"), ("Tìm", None), ("50% <b>&</b>", None)}
    assert {key[2] for key in i18n_kept._KEPT} == {"vi", "en"}
    assert {key[3] for key in i18n_kept._KEPT} == {True, False}  # under autoescape off: kept apart


def test_nothing_is_kept_with_debug_on_and_a_setting_change_forgets():
    i18n_kept.forget_all()
    with override_settings(DEBUG=True):
        assert _ours("en") == _django("en")
        assert not i18n_kept._KEPT
    _ours("en")
    assert i18n_kept._KEPT
    with override_settings(LANGUAGE_CODE="vi"):  # any setting change
        assert not i18n_kept._KEPT


# The breadcrumbs as the included template rendered them before the tag.
OLD_BREADCRUMBS = """{% load i18n %}<nav class="breadcrumbs container" aria-label="{% translate 'Đường dẫn' %}">
  <ol>
    <li><a href="{% url 'home' %}">{% translate "Trang chủ" %}</a></li>
    {% for label, url in breadcrumbs %}
    <li>{% if url %}<a href="{{ url }}">{{ label }}</a>{% else %}
      <span aria-current="page">{{ label }}</span>{% endif %}</li>
    {% endfor %}
  </ol>
</nav>
"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_breadcrumb_trail_is_the_old_templates_markup(language):
    trail = [("Sản phẩm", "/products/?a=1&b=2"), ('Chè "Shan" <tuyết>', "/x/"), ("Trang <này> & đó", None)]
    with translation.override(language):
        old = engines["django"].from_string(OLD_BREADCRUMBS).render({"breadcrumbs": trail})
        new = engines["django"].from_string("{% load catalogue %}{% breadcrumb_trail b %}").render({"b": trail})
    assert parse_html(new) == parse_html(old)
    assert "&lt;tuyết&gt;" in new and "a=1&amp;b=2" in new
    assert new.count("<li>") == 4 and 'aria-current="page">Trang &lt;này&gt; &amp; đó</span>' in new
    assert ('href="/en/"' in new) == (language == "en")


@pytest.mark.django_db
def test_a_product_page_carries_its_trail():
    product = f.product(name="Xoài tròn Yên Châu")
    page = Client().get(product.get_absolute_url()).content.decode()
    trail = page.split('<nav class="breadcrumbs container"')[1].split("</nav>")[0]
    assert 'href="/products/"' in trail and 'aria-current="page">Xoài tròn Yên Châu</span>' in trail
    assert f'href="/products/?province={product.producer.province.slug}"' in trail


# The page links as the inclusion tag's template rendered them before the tag was built in Python.
OLD_PAGINATION = """{% load i18n %}{% if page.paginator.num_pages > 1 %}
<nav class="pagination" aria-label="{% translate 'Phân trang' %}">
  <ul>
    {% if previous_url %}<li><a href="{{ previous_url }}" rel="prev">‹ {% translate "Trang trước" %}</a></li>{% endif %}
    {% for number, url, current in links %}
    <li>{% if number is None %}<span class="ellipsis" aria-hidden="true">…</span>{% elif current %}
      <a href="{{ url }}" aria-current="page">{{ number }}</a>{% else %}
      <a href="{{ url }}"><span class="visually-hidden">{% translate "Trang" %} </span>{{ number }}</a>{% endif %}</li>
    {% endfor %}
    {% if next_url %}<li><a href="{{ next_url }}" rel="next">{% translate "Trang sau" %} ›</a></li>{% endif %}
  </ul>
</nav>{% endif %}"""


def _old_pagination_context(page, filterset):
    """What the inclusion tag gave its template."""
    paginator = page.paginator
    links = [
        (None, None, False)
        if number == paginator.ELLIPSIS
        else (number, filterset.page_url(number), number == page.number)
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
    return {
        "page": page,
        "links": links,
        "previous_url": filterset.page_url(page.number - 1) if page.has_previous() else None,
        "next_url": filterset.page_url(page.number + 1) if page.has_next() else None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("rows", "number"), [(10, 1), (48, 1), (48, 2), (1000, 1), (1000, 7), (1000, 42), (2400, 100)])
def test_page_links_are_the_old_templates_markup(language, rows, number):
    filterset = ProductFilter(QueryDict("q=ch%C3%A8+%26+m%E1%BA%ADt&stars=4&page=3"))
    page = Paginator(range(rows), 24).page(number)
    with translation.override(language):
        old = engines["django"].from_string(OLD_PAGINATION).render(_old_pagination_context(page, filterset))
        new = (
            engines["django"]
            .from_string("{% load catalogue %}{% pagination p f %}")
            .render({"p": page, "f": filterset})
        )
    assert parse_html(new) == parse_html(old)
    assert (new == "") == (rows <= 24)
    if rows > 24:
        assert new.count('aria-current="page"') == 1 and f'aria-current="page">{number}</a>' in new
        # Every numbered link keeps the filters and carries its own page (the query's page=3 is not kept).
        links = re.findall(r'<a href="([^"]*)"(?: aria-current="page")?>(?:<span[^>]*>[^<]*</span>)?(\d+)</a>', new)
        assert len(links) >= 2
        for href, shown in links:
            assert href.startswith("?q=ch%C3%A8+%26+m%E1%BA%ADt&amp;stars=4"), href
            assert href.endswith(f"&amp;page={shown}") if shown != "1" else "page=" not in href, (href, shown)
