"""Share images (og:image, 1200 × 630 PNG) of product, producer and province pages, drawn with Pillow.

Each shows the name, the OCOP stars, the province and the category's drawing (products/pictures.py).
A PNG is written once under MEDIA_ROOT/share/, named after a digest of what it shows: a renamed
product or a new rating gives a new file, and the old one is simply no longer asked for. Responses
carry that digest as their ETag and may be cached for a day.
"""

import hashlib
import io
import math
import os
import tempfile
import textwrap
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw, ImageFont

from core.validity import STAR_LEVELS, today
from producers.models import Producer, Province
from products.models import Product
from products.pictures import picture_name, shapes, tint

WIDTH, HEIGHT = 1200, 630
# Drawn twice as large and reduced: smooth edges without Pillow's (missing) anti-aliasing of shapes.
SCALE = 2
VERSION = "1"
BRAND = "#0b3b25"
GOLD = "#f5c542"
MUTED = "#4d5a54"
FONT_FOLDERS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/dejavu")
MAX_AGE = 24 * 3600


def font(size, bold=False):
    """DejaVu Sans (Debian's fonts-dejavu-core, Vietnamese included), else Pillow's own."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_FOLDERS:
        path = Path(folder) / name
        if path.exists():
            return ImageFont.truetype(str(path), size * SCALE)
    return ImageFont.load_default(size * SCALE)


def star_points(cx, cy, outer, inner):
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw_shapes(draw, name, left, top, size):
    """The drawing `name` fitted into the square at (left, top) of side `size` (in final pixels)."""
    k = size / 120 * SCALE

    def at(x, y):
        return (left * SCALE + x * k, top * SCALE + y * k)

    for kind, geometry, colour in shapes(name):
        if kind == "circle":
            cx, cy, r = geometry
            draw.ellipse([at(cx - r, cy - r), at(cx + r, cy + r)], fill=colour)
        elif kind == "ellipse":
            cx, cy, rx, ry = geometry
            draw.ellipse([at(cx - rx, cy - ry), at(cx + rx, cy + ry)], fill=colour)
        elif kind == "poly":
            draw.polygon([at(x, y) for x, y in geometry], fill=colour)
        elif kind == "rect":
            x, y, w, h, r = geometry
            draw.rounded_rectangle([at(x, y), at(x + w, y + h)], radius=r * k, fill=colour)
        else:
            points, width = geometry
            draw.line([at(x, y) for x, y in points], fill=colour, width=max(1, round(width * k)), joint="curve")


def render(title, lines, stars, picture):
    """PNG bytes: `title` (up to three lines), `stars` (3-5 or None), further `lines`, the drawing."""
    s = SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), tint(picture))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH * s, 14 * s], fill=BRAND)
    draw.ellipse([760 * s, 95 * s, 1160 * s, 495 * s], fill="#ffffff")
    draw_shapes(draw, picture, 800, 135, 320)
    draw.polygon(star_points(82 * s, 82 * s, 26 * s, 11 * s), fill=GOLD)
    draw.text((120 * s, 64 * s), "OCOP Việt Nam", font=font(32, bold=True), fill=BRAND)
    y = 150
    for text in textwrap.wrap(title, 22)[:3]:
        draw.text((60 * s, y * s), text, font=font(58, bold=True), fill="#1b2420")
        y += 72
    y += 16
    if stars:
        for i in range(5):
            points = star_points((84 + i * 58) * s, (y + 24) * s, 26 * s, 11 * s)
            draw.polygon(points, fill="#c77700" if i < stars else "#d5ddd8")
        draw.text((380 * s, (y + 2) * s), f"{stars} sao OCOP", font=font(36, bold=True), fill="#8a4b00")
        y += 76
    for text in lines:
        draw.text((60 * s, y * s), textwrap.shorten(text, 40, placeholder="…"), font=font(34), fill=MUTED)
        y += 50
    draw.text((60 * s, 560 * s), "Danh mục sản phẩm OCOP và chứng nhận", font=font(26), fill=MUTED)
    buffer = io.BytesIO()
    image.resize((WIDTH, HEIGHT), Image.LANCZOS).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def cached_png(kind, slug, title, lines, stars, picture):
    """The path of the PNG under MEDIA_ROOT/share/, drawn now if it is not there yet, and its digest."""
    key = "\x1f".join([VERSION, title, *lines, str(stars or ""), picture])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = Path(settings.MEDIA_ROOT) / "share" / kind
    path = folder / f"{slug}-{digest}.png"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a visitor never reads half a file, two writers never mix theirs.
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(render(title, lines, stars, picture))
        os.replace(temporary, path)
    return path, digest


def png_response(request, found):
    path, digest = found
    etag = f'"{digest}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(path.open("rb"), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@require_safe
def product_image(request, slug):
    product = get_object_or_404(
        Product.objects.published().with_current_stars().select_related("producer__province", "category__group"),
        slug=slug,
    )
    category = product.category
    picture = picture_name(category.slug, category.group.code) if category else picture_name(None, 1)
    lines = [product.producer.name, product.producer.province.full_name]
    found = cached_png("product", product.slug, product.name, lines, product.current_stars, picture)
    return png_response(request, found)


@require_safe
def producer_image(request, slug):
    producer = get_object_or_404(Producer.objects.select_related("province"), slug=slug)
    products = Product.objects.published().filter(producer=producer).select_related("category__group")
    first = products.order_by("search_text").first()
    picture = picture_name(first.category.slug, first.category.group.code) if first else picture_name(None, 1)
    count = products.count()
    lines = [producer.province.full_name, f"{count} sản phẩm trong danh mục"]
    return png_response(request, cached_png("producer", producer.slug, producer.name, lines, None, picture))


@require_safe
def province_image(request, slug):
    province = get_object_or_404(Province.objects.current(), slug=slug)
    products = Product.objects.published().filter(producer__province=province)
    # ocop_until_3 is the last day of a rating of at least 3 stars: of any rating.
    rated = Q(**{f"ocop_until_{min(STAR_LEVELS)}__gte": today()})
    counts = products.aggregate(total=Count("pk"), rated=Count("pk", filter=rated))
    common = (
        products.order_by().values("category__slug", "category__group__code").annotate(n=Count("pk")).order_by("-n")
    ).first()
    picture = picture_name(common["category__slug"], common["category__group__code"]) if common else "group-6.svg"
    lines = [f"{counts['total']} sản phẩm", f"{counts['rated']} có hạng OCOP còn hiệu lực"]
    return png_response(request, cached_png("province", province.slug, province.full_name, lines, None, picture))


def app_icon(size):
    """The site's icon (the logo: a gold star on a green disc) as a square RGBA image of `size` pixels."""
    s = 4
    image = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([0, 0, size * s - 1, size * s - 1], fill="#0f5132")
    centre = size * s / 2
    draw.polygon(star_points(centre, centre * 1.04, centre * 0.66, centre * 0.27), fill=GOLD)
    return image.resize((size, size), Image.LANCZOS)
