"""The map of Vietnam's 34 provincial units (since 1 July 2025): a tile grid drawn by the server as SVG.

Each unit is a tile placed roughly where it lies, north at the top and the coast on the right, shaded
by its number of products with an OCOP rating in force, and a link to its page whose name says the
count; its tooltip (<title>) names the former provinces merged into it. Hoàng Sa and Trường Sa are
marked with the units they belong to (Đà Nẵng, Khánh Hòa).
"""

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.i18n import grouped, is_english, localized_name

# The overview's markup (map and list) for the inputs it was last made from: see overview_html.
_OVERVIEWS = {}
OVERVIEWS_KEPT = 8

# slug: (column, row, short label)
TILES = {
    "lai-chau": (0, 0, "Lai Châu"),
    "lao-cai": (1, 0, "Lào Cai"),
    "tuyen-quang": (2, 0, "Tuyên Quang"),
    "cao-bang": (3, 0, "Cao Bằng"),
    "dien-bien": (0, 1, "Điện Biên"),
    "son-la": (1, 1, "Sơn La"),
    "thai-nguyen": (2, 1, "Thái Nguyên"),
    "lang-son": (3, 1, "Lạng Sơn"),
    "phu-tho": (1, 2, "Phú Thọ"),
    "ha-noi": (2, 2, "Hà Nội"),
    "bac-ninh": (3, 2, "Bắc Ninh"),
    "quang-ninh": (4, 2, "Quảng Ninh"),
    "ninh-binh": (2, 3, "Ninh Bình"),
    "hung-yen": (3, 3, "Hưng Yên"),
    "hai-phong": (4, 3, "Hải Phòng"),
    "thanh-hoa": (2, 4, "Thanh Hóa"),
    "nghe-an": (2, 5, "Nghệ An"),
    "ha-tinh": (3, 6, "Hà Tĩnh"),
    "quang-tri": (3, 7, "Quảng Trị"),
    "hue": (4, 8, "Huế"),
    "da-nang": (4, 9, "Đà Nẵng"),
    "quang-ngai": (4, 10, "Quảng Ngãi"),
    "gia-lai": (4, 11, "Gia Lai"),
    "dak-lak": (4, 12, "Đắk Lắk"),
    "lam-dong": (3, 13, "Lâm Đồng"),
    "khanh-hoa": (4, 13, "Khánh Hòa"),
    "tay-ninh": (1, 14, "Tây Ninh"),
    "dong-nai": (2, 14, "Đồng Nai"),
    "ho-chi-minh": (3, 14, "TP.HCM"),
    "an-giang": (0, 15, "An Giang"),
    "dong-thap": (1, 15, "Đồng Tháp"),
    "vinh-long": (2, 15, "Vĩnh Long"),
    "ca-mau": (0, 16, "Cà Mau"),
    "can-tho": (1, 16, "Cần Thơ"),
}
TILE_W, TILE_H, GAP, PAD = 92, 40, 4, 8
# Light to dark green; the last two carry white text (contrast at least 4.5:1).
SHADES = ("#eef3ef", "#cfe3d4", "#9fcaa9", "#3f8a55", "#0f5132")


def shade_steps(counts):
    """Upper bounds of the shades 1-4 (0 has its own): quartiles of the non-zero counts."""
    values = sorted(c for c in counts if c)
    if not values:
        return []
    return [values[min(len(values) - 1, len(values) * q // 4)] for q in (1, 2, 3)]


def shade_of(count, steps):
    if not count:
        return 0
    for i, bound in enumerate(steps):
        if count <= bound:
            return i + 1
    return 4


def map_tiles(provinces, rated, former):
    """The tiles of `provinces` (current units with a slug on the grid) with their counts and names.

    rated: {slug: products with a rating in force}; former: {current unit's slug: [former units]}.
    """
    steps = shade_steps(rated.values())
    tiles = []
    for province in provinces:
        if province.slug not in TILES:
            continue
        column, row, label = TILES[province.slug]
        count = rated.get(province.slug, 0)
        name = localized_name(province)
        former_names = [localized_name(unit) for unit in former.get(province.slug, [])]
        said = ngettext(
            "%(name)s: %(n)s sản phẩm có hạng OCOP còn hiệu lực",
            "%(name)s: %(n)s sản phẩm có hạng OCOP còn hiệu lực",
            count,
        ) % {"name": name, "n": grouped(count)}
        tooltip = said
        if former_names:
            tooltip += " · " + _("gồm tỉnh cũ: %(names)s") % {"names": ", ".join(former_names)}
        shade = shade_of(count, steps)
        x, y = PAD + column * (TILE_W + GAP), PAD + row * (TILE_H + GAP)
        tiles.append(
            {
                "url": province.get_absolute_url(),
                "label": _english_label(province, label) if is_english() else label,
                "count": count,
                "said": said,
                "tooltip": tooltip,
                "fill": SHADES[shade],
                "dark": shade >= 3,
                "x": x,
                "y": y,
                "text_x": x + TILE_W / 2,
                "label_y": y + 17,
                "count_y": y + 32,
            }
        )
    return tiles


# One tile's link, as the map's template wrote it (tests/site/test_province_map_markup.py compares them): the
# 34 tiles' ~500 values were two thirds of the home page's template nodes.
TILE = (
    '<a href="{url}" aria-label="{said}" class="map-tile{dark}">\n'
    "      <title>{tooltip}</title>\n"
    '      <rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}"/>\n'
    '      <text x="{text_x}" y="{label_y}" text-anchor="middle" class="map-label" aria-hidden="true">{label}</text>\n'
    '      <text x="{text_x}" y="{count_y}" text-anchor="middle" class="map-count" aria-hidden="true">{count}</text>\n'
    "    </a>\n"
    "    "
)


def tiles_markup(tiles):
    """The tiles' links, escaped as the template engine escapes values."""
    return mark_safe(  # noqa: S308 (every value below is escaped)
        "".join(
            TILE.format(
                url=escape(t["url"]),
                said=escape(t["said"]),
                dark=" is-dark" if t["dark"] else "",
                tooltip=escape(t["tooltip"]),
                x=t["x"],
                y=t["y"],
                w=TILE_W,
                h=TILE_H,
                fill=t["fill"],
                text_x=t["text_x"],
                label_y=t["label_y"],
                count_y=t["count_y"],
                label=escape(t["label"]),
                count=escape(grouped(t["count"])),
            )
            for t in tiles
        )
    )


def legend(rated):
    steps = shade_steps(rated.values())
    bounds = [0, *steps]
    items = [(SHADES[0], "0")]
    for i in range(len(steps)):
        low, high = grouped(bounds[i] + 1), grouped(steps[i])
        items.append((SHADES[i + 1], f"{low}–{high}" if steps[i] > bounds[i] + 1 else high))
    if steps:
        items.append((SHADES[4], f"> {grouped(steps[-1])}"))
    return items


def map_context(provinces, rated, former):
    columns = 1 + max(c for c, _r, _l in TILES.values())
    rows = 1 + max(r for _c, r, _l in TILES.values())
    # Room on the right for the islands' names: "Truong Sa (Spratly)" is longer than "Trường Sa".
    width = 2 * PAD + columns * TILE_W + (columns - 1) * GAP + (136 if is_english() else 96)
    height = 2 * PAD + rows * TILE_H + (rows - 1) * GAP
    islands_x = PAD + 5 * (TILE_W + GAP) + 8
    return {
        "tiles_markup": tiles_markup(map_tiles(provinces, rated, former)),
        "legend": legend(rated),
        "width": width,
        "height": height,
        "paracel": {"x": islands_x, "y": PAD + 9 * (TILE_H + GAP) + 22, "label": _("Hoàng Sa"), "of": _("(Đà Nẵng)")},
        "spratly": {
            "x": islands_x,
            "y": PAD + 14 * (TILE_H + GAP) + 22,
            "label": _("Trường Sa"),
            "of": _("(Khánh Hòa)"),
        },
    }


def overview_key(provinces, rated, former):
    """Everything the overview's markup is made of: the language and address prefix, each unit's slug, names
    and count, the rated counts, the former units' names. Equal keys, equal markup."""
    return (
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        tuple((p.slug, p.name, p.name_en, getattr(p, "product_count", None)) for p in provinces),
        tuple(sorted(rated.items())),
        tuple(sorted((slug, tuple((u.name, u.name_en) for u in units)) for slug, units in former.items())),
    )


def _english_label(province, label):
    """A tile's label on the English pages, spelt as the rest of them spell the unit ("Dien Bien", "Hanoi"):
    its English name, "HCMC" for Ho Chi Minh City (the tile is too narrow for the whole name)."""
    if label == "TP.HCM":
        return "HCMC"
    return province.name_en or label


def overview_html(provinces, rated, former):
    """The home page's map and list of the units (templates/includes/province_overview.html), made once per
    process for the same inputs: the counts move only with a write, and between two writes every home page
    drew the same ~1,600 nodes and 34 tiles again (a third of the page's CPU with every cache off). A pure
    function of its key (overview_key), so nothing here can be stale; the last few keys are kept."""
    key = overview_key(provinces, rated, former)
    html = _OVERVIEWS.get(key)
    if html is None:
        context = {"provinces": provinces, "rated": rated, "former": former}
        html = mark_safe(render_to_string("includes/province_overview.html", context))  # noqa: S308 (a template's output)
        if len(_OVERVIEWS) >= OVERVIEWS_KEPT:
            _OVERVIEWS.clear()
        _OVERVIEWS[key] = html
    return html
