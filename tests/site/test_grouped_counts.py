"""Counts are printed grouped by thousands in the visitor's language: 100.547 sản phẩm, 100,547 products."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from core.i18n import grouped


@pytest.mark.parametrize(("language", "expected"), [("vi", "100.547"), ("en", "100,547")])
def test_the_python_helper_and_the_template_filter_agree(language, expected):
    from django.template import engines

    with translation.override(language):
        assert grouped(100547) == expected
        assert engines["django"].from_string('{{ n|floatformat:"0g" }}').render({"n": 100547}) == expected
        assert engines["django"].from_string("{% load catalogue %}{{ n|grouped }}").render({"n": 100547}) == expected
        assert grouped(999) == "999" and grouped(0) == "0"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("vi", 1, "1 sản phẩm"),
        ("vi", 12345, "12.345 sản phẩm"),
        ("en", 1, "1 product"),
        ("en", 12345, "12,345 products"),
    ],
)
def test_a_counted_phrase_chooses_its_plural_from_the_count_and_prints_it_grouped(language, count, expected):
    """The templates' pattern: the plural is chosen by `c`, the number shown is `n`, grouped (the message ids
    stay "%(n)s sản phẩm", so the translations apply unchanged)."""
    from django.template import engines

    template = engines["django"].from_string(
        "{% load i18n catalogue %}{% blocktranslate count c=total with n=total|grouped trimmed %}"
        "{{ n }} sản phẩm{% plural %}{{ n }} sản phẩm{% endblocktranslate %}"
    )
    with translation.override(language):
        assert template.render({"total": count}) == expected


@pytest.mark.parametrize(("language", "shown"), [("vi", "1.234"), ("en", "1,234")])
def test_the_province_pages_bars_print_grouped_counts(language, shown):
    bars = [{"label": "Sơn La", "url": "", "width": 100, "css": "bar-1", "count": 1234}]
    with translation.override(language):
        html = render_to_string("includes/bar_rows.html", {"title": "t", "bars": bars})
    assert f'<td class="bar-count">{shown}</td>' in html


@pytest.mark.parametrize(("language", "shown"), [("vi", "2.674–2.683"), ("en", "2,674–2,683")])
def test_the_maps_legend_and_tiles_say_grouped_counts(language, shown):
    from ocop_catalogue.province_map import legend

    rated = {f"p{number}": count for number, count in enumerate([2600, 2672, 2673, 2682, 2683, 2688, 2700, 2705])}
    with translation.override(language):
        labels = [label for _fill, label in legend(rated)]
    assert any(shown in label for label in labels), labels
