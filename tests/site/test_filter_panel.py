"""The product list's filter panel built in Python (ocop_catalogue/filter_panel.py) gives the markup of
the template it replaces, kept here as it was, in both languages and whatever the filters."""

import pytest
from django.template import Context, Engine
from django.test import RequestFactory
from django.utils import translation

from ocop_catalogue.filter_panel import filter_panel_html
from products.filters import ProductFilter
from tests import factories as f

pytestmark = pytest.mark.django_db

OLD_PANEL = """{% load i18n %}<details class="filters-panel" data-open-wide>
  <summary>{% translate "Bộ lọc" %}{% if chips %} <span class="badge-count">{{ chips|length }}</span>{% endif %}</summary>
  <form method="get" action="{% url 'products:product_list' %}" class="filter-form" data-autosubmit>
    <div class="field">
      <label for="filter-q">{% translate "Từ khóa" %}</label>
      <input id="filter-q" type="search" name="q" maxlength="200" value="{{ filterset.query_text }}">
    </div>
    {% for facet in facets %}
    {% if facet.options %}
    <fieldset class="facet facet-{{ facet.name }}">
      <legend>{{ facet.label }}</legend>
      <ul class="{% if facet.options|length > 8 %}facet-long{% endif %}">
        {% if not facet.multiple %}
        <li><label><input type="radio" name="{{ facet.name }}" value=""{% if not facet.selected_count %} checked{% endif %}> <span class="opt-label">{% translate "Tất cả" %}</span></label></li>
        {% endif %}
        {% for option in facet.options %}
        <li{% if not option.count and not option.selected %} class="is-empty"{% endif %}><label><input type="{% if facet.multiple %}checkbox{% else %}radio{% endif %}" name="{{ facet.name }}" value="{{ option.value }}"{% if option.selected %} checked{% endif %}> <span class="opt-label">{{ option.label }}</span> <span class="opt-count">{{ option.count|floatformat:"0g" }}</span></label></li>
        {% endfor %}
      </ul>
    </fieldset>
    {% endif %}
    {% endfor %}
    {% if filterset.explicit_sort %}<input type="hidden" name="sort" value="{{ filterset.explicit_sort }}">{% endif %}
    <div class="filter-actions">
      <button type="submit">{% translate "Áp dụng bộ lọc" %}</button>
      <a href="{% url 'products:product_list' %}">{% translate "Xóa bộ lọc" %}</a>
    </div>
  </form>
</details>
"""  # noqa: E501 (the template as it was)

QUERIES = [
    "",
    "?province=son-la&stars=4",
    "?q=ch%C3%A8+%22%3Cb%3E&sort=-stars",
    "?group=1&group=2&category=nothing-here&cert=gi&page=2",
    "?q=zzzz-none",
    "?stars=5&producer_kind=cooperative&sort=name",
]


@pytest.fixture
def catalogue():
    tea = f.category("Chè <búp>", group_code=1)
    honey = f.category("Mật ong", group_code=2)
    for n, (stars, place) in enumerate(((3, "son-la"), (4, "son-la"), (5, "ha-noi"), (None, "lam-dong"))):
        producer = f.producer(province_slug=place)
        if stars:
            f.rated_product(stars=stars, producer_obj=producer, category_obj=tea, name=f"Chè {n}")
        else:
            f.product(producer_obj=producer, category_obj=honey, name=f"Mật ong {n}")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("query", QUERIES)
def test_the_panel_is_the_old_templates_markup(catalogue, language, query):
    request = RequestFactory().get(f"/products/{query}")
    with translation.override(language):
        filterset = ProductFilter(request.GET)
        facets, chips = filterset.facets(), filterset.chips()
        old = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(OLD_PANEL)
        expected = old.render(Context({"filterset": filterset, "facets": facets, "chips": chips}))
        html = filter_panel_html(
            facets, query_text=filterset.query_text, chip_count=len(chips), explicit_sort=filterset.explicit_sort
        )
    assert html == expected
    assert any(facet.options for facet in facets)


def test_the_panel_escapes_what_a_visitor_typed(catalogue):
    filterset = ProductFilter(RequestFactory().get('/products/?q="><script>&sort="><i>').GET)
    html = filter_panel_html(filterset.facets(), query_text=filterset.query_text, explicit_sort='"><i>')
    assert "<script>" not in html and "<i>" not in html and "&quot;&gt;&lt;script&gt;" in html


@pytest.mark.parametrize(("language", "shown"), [("vi", "12.345"), ("en", "12,345")])
@pytest.mark.parametrize("separators", [False, True])
def test_large_counts_are_grouped_by_thousands_as_the_template_groups_them(separators, language, shown):
    from django.test import override_settings

    from products.facets import Facet, FacetOption

    facets = [Facet(name="stars", label="Hạng", multiple=False, options=[FacetOption("5", "5 sao", 12345, True)])]
    with override_settings(USE_THOUSAND_SEPARATOR=separators), translation.override(language):
        old = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(OLD_PANEL)
        expected = old.render(Context({"filterset": {"query_text": ""}, "facets": facets, "chips": []}))
        assert filter_panel_html(facets) == expected
    assert f'class="opt-count">{shown}<' in expected
