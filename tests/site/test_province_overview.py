"""The home page's map and list of units (ocop_catalogue/province_map.py: overview_html) are made once per
process for the same inputs: the markup is the template's, and anything it shows changing makes it anew."""

import copy

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ocop_catalogue import province_map
from producers.models import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def inputs():
    province_map._OVERVIEWS.clear()
    provinces = list(Province.objects.current().order_by("sort_key"))
    for n, province in enumerate(provinces):
        province.product_count = n * 401
    former = {}
    for unit in Province.objects.filter(is_current=False).select_related("merged_into"):
        former.setdefault(unit.merged_into.slug, []).append(unit)
    rated = {p.slug: n * 37 for n, p in enumerate(provinces)}
    return provinces, rated, former


def fresh(provinces, rated, former):
    return render_to_string(
        "includes/province_overview.html", {"provinces": provinces, "rated": rated, "former": former}
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_overview_is_the_templates_markup_and_made_once(inputs, language):
    with translation.override(language):
        first = province_map.overview_html(*inputs)
        assert first == fresh(*inputs)
        assert province_map.overview_html(*inputs) is first  # the same inputs: not made again
    assert first.count('class="map-tile') == 34 and first.count("<li") == 34
    assert ("13.233" if language == "vi" else "13,233") in first  # 33 × 401, grouped in the language


def test_whatever_the_overview_shows_makes_it_anew(inputs):
    provinces, rated, former = inputs
    with translation.override("vi"):
        before = province_map.overview_html(provinces, rated, former)
        counted = [copy.copy(p) for p in provinces]
        counted[0].product_count += 1
        renamed = [copy.copy(p) for p in provinces]
        renamed[1].name = "Tên <mới>"
        more_rated = dict(rated, **{provinces[2].slug: rated[provinces[2].slug] + 1})
        merged = {slug: [copy.copy(u) for u in units] for slug, units in former.items()}
        next(iter(merged.values()))[0].name = "Tỉnh cũ khác"
        changes = [(counted, rated, former), (renamed, rated, former), (provinces, more_rated, former)]
        changes.append((provinces, rated, merged))
        for changed in changes:
            made = province_map.overview_html(*changed)
            assert made != before and made == fresh(*changed)
    with translation.override("en"):
        assert province_map.overview_html(provinces, rated, former) != before


def test_only_the_last_few_are_kept(inputs):
    provinces, rated, former = inputs
    with translation.override("vi"):
        for n in range(province_map.OVERVIEWS_KEPT * 2):
            province_map.overview_html(provinces, dict(rated, extra=n), former)
    assert 0 < len(province_map._OVERVIEWS) <= province_map.OVERVIEWS_KEPT
