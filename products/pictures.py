"""Which drawing pictures which category, and the drawings as SVG documents.

The SVG files under static/img/category/ are written from here (`manage.py draw_pictures`); the share
images (ocop_catalogue/share_images.py) draw the same shapes with Pillow. A category without a drawing
of its own shows its group's.
"""

from products import drawings as d

DRAWINGS = {
    "che": d.tea,
    "ca-phe": d.coffee,
    "xoai": d.mango,
    "trai-cay": d.fruit,
    "mat-ong": d.honey,
    "gao": d.rice,
    "nuoc-mam": d.fish_sauce,
    "ca-va-thuy-san": d.fish,
    "duoc-lieu": d.herbs,
    "tinh-dau": d.essential_oil,
    "dau-an": d.oil,
    "do-thu-cong": d.crafts,
    "du-lich-cong-dong": d.tourism,
    "banh-keo": d.sweets,
    "banh-va-bun": d.noodles,
    "gia-vi": d.chili,
    "rau-cu": d.vegetables,
    "ruou": d.wine,
    "thit-che-bien": d.meat,
    "yen-sao": d.nest,
    "hat-dieu": d.nuts,
    "hat-mac-ca": d.nuts,
    "san-pham-tu-dua": d.coconut,
    "san-pham-tu-sen": d.lotus,
    "sua": d.milk,
    "trung-gia-cam": d.eggs,
    "duong-mia": d.sugar_cane,
    "san-pham-tay-rua": d.cleaning,
    "do-uong": d.drink,
}
# Categories outside group 1 (food), for their background tint.
CATEGORY_GROUPS = {"ruou": 2, "do-uong": 2, "duoc-lieu": 3, "tinh-dau": 3, "do-thu-cong": 4, "du-lich-cong-dong": 6}
GROUP_DRAWINGS = {1: d.food, 2: d.drink, 3: d.herbs, 4: d.crafts, 5: d.plant, 6: d.tourism}


def picture_name(category_slug, group_code):
    """The file name (under img/category/) of a category's drawing, or of its group's."""
    if category_slug in DRAWINGS:
        return f"{category_slug}.svg"
    return f"group-{group_code if group_code in GROUP_DRAWINGS else 1}.svg"


def shapes(name):
    """The shapes of a drawing by its file name ("che.svg", "group-3.svg")."""
    stem = name.removesuffix(".svg")
    if stem.startswith("group-"):
        return GROUP_DRAWINGS[int(stem.removeprefix("group-"))]()
    return DRAWINGS[stem]()


def tint(name):
    """The background tint of a drawing: its group's."""
    stem = name.removesuffix(".svg")
    code = int(stem.removeprefix("group-")) if stem.startswith("group-") else CATEGORY_GROUPS.get(stem, 1)
    return d.TINTS[code]


def all_names():
    return [f"{slug}.svg" for slug in DRAWINGS] + [f"group-{code}.svg" for code in GROUP_DRAWINGS]


def _points(points):
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def svg_shape(kind, geometry, colour):
    if kind == "circle":
        cx, cy, r = geometry
        return f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{colour}"/>'
    if kind == "ellipse":
        cx, cy, rx, ry = geometry
        return f'<ellipse cx="{cx:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}" fill="{colour}"/>'
    if kind == "poly":
        return f'<polygon points="{_points(geometry)}" fill="{colour}"/>'
    if kind == "rect":
        x, y, w, h, r = geometry
        return f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{r:g}" fill="{colour}"/>'
    points, width = geometry
    return (
        f'<polyline points="{_points(points)}" fill="none" stroke="{colour}" stroke-width="{width:g}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )


def svg(name):
    """A drawing as an SVG document of 480 × 360 (the cards' 4:3), centred on a tinted background."""
    body = "\n    ".join(svg_shape(*shape) for shape in shapes(name))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120" width="480" height="360">\n'
        f'  <rect width="160" height="120" fill="{tint(name)}"/>\n'
        '  <circle cx="80" cy="60" r="50" fill="#ffffff" opacity="0.6"/>\n'
        f'  <g transform="translate(35 15) scale(0.75)">\n    {body}\n  </g>\n</svg>\n'
    )
