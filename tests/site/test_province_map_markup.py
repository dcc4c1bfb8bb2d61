"""The map's tiles are built in Python (ocop_catalogue/province_map.py: tiles_markup): byte for byte what its
template's loop wrote, in both languages, with counts that need grouping and names that need escaping."""

import pytest
from django.template import Context, Template
from django.utils import translation

from ocop_catalogue.province_map import TILE_H, TILE_W, map_context, map_tiles
from producers.models import Province

pytestmark = pytest.mark.django_db

# The loop the template held before (templates/includes/province_map.html), inside its {% localize off %}.
OLD_LOOP = Template(
    "{% load l10n catalogue %}{% localize off %}"
    '{% for t in tiles %}<a href="{{ t.url }}" aria-label="{{ t.said }}" '
    'class="map-tile{% if t.dark %} is-dark{% endif %}">\n'
    "      <title>{{ t.tooltip }}</title>\n"
    '      <rect x="{{ t.x }}" y="{{ t.y }}" width="{{ tile_w }}" height="{{ tile_h }}" rx="6" fill="{{ t.fill }}"/>\n'
    '      <text x="{{ t.text_x }}" y="{{ t.label_y }}" text-anchor="middle" class="map-label" '
    'aria-hidden="true">{{ t.label }}</text>\n'
    '      <text x="{{ t.text_x }}" y="{{ t.count_y }}" text-anchor="middle" class="map-count" '
    'aria-hidden="true">{{ t.count|grouped }}</text>\n'
    "    </a>\n"
    "    {% endfor %}"
    "{% endlocalize %}"
)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_tiles_are_the_old_templates_bytes(language):
    provinces = list(Province.objects.current().order_by("sort_key"))
    former = {}
    for unit in Province.objects.filter(is_current=False).select_related("merged_into"):
        former.setdefault(unit.merged_into.slug, []).append(unit)
    # Counts of every shade, some in the thousands; a former unit's name that must be escaped.
    rated = {p.slug: (n * 997) % 4000 for n, p in enumerate(provinces)}
    rated[provinces[0].slug] = 0
    odd = Province(slug="odd", name='Tỉnh <cũ> & "lạ"', name_en='Old <& "odd">', is_current=False)
    former.setdefault(provinces[1].slug, []).append(odd)
    with translation.override(language):
        context = map_context(provinces, rated, former)
        tiles = map_tiles(provinces, rated, former)
        old = OLD_LOOP.render(Context({"tiles": tiles, "tile_w": TILE_W, "tile_h": TILE_H}))
        new = str(context["tiles_markup"])
    assert new == old
    assert new.count('class="map-tile') == 34 and "&lt;" in new and "&quot;" in new
    assert ("1.994" if language == "vi" else "1,994") in new


@pytest.mark.django_db
def test_the_english_tiles_spell_the_units_as_the_english_pages_do():
    provinces = list(Province.objects.filter(merged_into__isnull=True))
    labels = {language: [t["label"] for t in _tiles(provinces, language)] for language in ("vi", "en")}
    assert "Điện Biên" in labels["vi"] and "TP.HCM" in labels["vi"]
    assert "Dien Bien" in labels["en"] and "HCMC" in labels["en"] and "Điện Biên" not in labels["en"]


def _tiles(provinces, language):
    with translation.override(language):
        return map_tiles(provinces, {}, {})
