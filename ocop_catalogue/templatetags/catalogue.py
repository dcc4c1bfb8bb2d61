"""Template helpers of the public pages: names in the visitor's language, rating, status and kind
badges, product photos with their thumbnails or placeholder, pagination, charts, JSON-LD.

They live in the project package, above every app: it may use what all the apps provide.
"""

import functools
import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import URLResolver, get_resolver, get_urlconf, translate_url
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.i18n import grouped as grouped_count
from core.i18n import is_english, localized_name
from core.links import reversed_url
from ocop_catalogue import badges, cards
from ocop_catalogue.entry_cards import entry_html, stars_html
from ocop_catalogue.filter_panel import filter_panel_html
from ocop_catalogue.province_map import map_context, overview_html
from ocop_catalogue.register_matches import register_matches
from products.images import SIZES, thumbnail
from products.pictures import picture_name

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def localized(obj):
    """The English name of a province, group, category or product on English pages."""
    return localized_name(obj)


@register.filter
def province_or_national(province):
    """A certificate's province, or what a national decision (one without a province) shows instead."""
    if province is None:
        return _("Không thuộc riêng tỉnh nào (quyết định cấp trung ương)")
    return localized_name(province)


@register.filter(name="grouped")
def grouped_filter(count):
    """A count grouped by thousands in the page's language (100.547 / 100,547): what floatformat:"0g" prints
    for an integer, without its Decimal arithmetic (the home page prints ~80 counts)."""
    try:
        return grouped_count(int(count))
    except (TypeError, ValueError):
        return count


@register.filter
def full_name(province):
    """A province as people write it: "Tỉnh Sơn La", "Thành phố Hà Nội"; "Son La Province", "Hanoi"."""
    if province is None:
        return ""
    return province.full_name_en if is_english() else province.full_name


@register.simple_tag
def rating(stars, until=None, size=""):
    """A current OCOP rating: stars drawn and said in words ("4 sao" / "4 stars"), with its validity."""
    return badges.rating_html(int(stars or 0), until, size)


@register.simple_tag
def status_badge(code, date=None):
    """A status in words with an icon, never in colour alone."""
    return badges.status_badge_html(code, date)


@register.simple_tag
def kind_badge(kind, short=False):
    """A certificate kind in words; `short` says just "OCOP" for a rating decision."""
    return badges.kind_badge_html(kind, short)


@register.simple_tag
def entry_card(entry):
    """A product's certificate entry as a card (ocop_catalogue/entry_cards.py)."""
    return entry_html(entry)


@register.simple_tag
def entry_stars(entry):
    """An entry's stars, drawn while in force and said in words otherwise (ocop_catalogue/entry_cards.py)."""
    return stars_html(entry)


@register.filter
def group_icon(group_code):
    """The project's own drawing of an OCOP group."""
    return static(f"img/category/{picture_name(None, group_code)}")


@register.filter
def category_picture(category):
    """The project's drawing of a category (tea leaves for tea), or of its group: a product without a photo."""
    if category is None:
        return group_icon(1)
    return static(f"img/category/{picture_name(category.slug, category.group.code)}")


@register.simple_tag
def product_image(product, size="card", lazy=True, decorative=False):
    """The product's photo (its thumbnail at `size`) or the placeholder of its OCOP group."""
    return _photo_or_drawing(
        product, size, lazy, decorative, lambda: category_picture(product.category if product.category_id else None)
    )


def _photo_or_drawing(product, size, lazy, decorative, drawing_url):
    """The <img> of the product's photo at `size`, else of the drawing at `drawing_url()`."""
    found = thumbnail(product.image, size, product.image_width, product.image_height)
    if found:
        url, width, height = found
        alt = "" if decorative else product.name
        return badges.image_html(url, width, height, alt, lazy, False, size)
    width, height = SIZES["card"][:2]
    alt = "" if decorative else _("Hình vẽ minh họa (chưa có ảnh sản phẩm)")
    return badges.image_html(drawing_url(), width, height, alt, lazy, True, size)


@register.simple_tag(takes_context=True)
def product_card(context, product):
    """A product's card (ocop_catalogue/cards.py): picture, names, badges and its shortlist form."""
    maker = cards.card_maker(context.render_context, context.get("request"), _card_photo)
    return maker(product)


def _card_photo(product):
    """product_image(product, "card", decorative=True) of a card's row: the drawing from its own columns."""
    return _photo_or_drawing(
        product,
        "card",
        True,
        True,
        lambda: static(f"img/category/{picture_name(product.card_category_slug, product.card_group or 1)}"),
    )


@register.simple_tag
def filter_panel(facets, filterset, chips):
    """The product list's filter panel (ocop_catalogue/filter_panel.py)."""
    return filter_panel_html(
        facets, query_text=filterset.query_text, chip_count=len(chips), explicit_sort=filterset.explicit_sort
    )


@register.simple_tag
def photo_image(photo, product_name, size="card", lazy=True):
    """One of a product's extra photos (ProductImage) at `size`; an empty `product_name`: decorative."""
    found = thumbnail(photo.image, size, photo.width, photo.height)
    url, width, height = found if found else ("", *SIZES[size][:2])
    alt = (photo.alt_text or product_name) if product_name else ""
    return badges.image_html(url, width, height, alt, lazy, False, size)


@register.simple_tag(takes_context=True)
def alternate_url(context, language):
    """This page's address in `language` (query string kept)."""
    request = context.get("request")
    if request is None:
        return "/" if language == "vi" else "/en/"
    full_path = request.get_full_path()
    match = getattr(request, "resolver_match", None)
    if match is None:
        return translate_url(full_path, language)
    # The paths are the same in every language but for the prefix of a language other than the default
    # (i18n_patterns, prefix_default_language=False): swap it instead of reversing the request's match under
    # the other language (two reverses a page, the most of the page's head; tests/site/test_alternate_url.py
    # checks the two agree on every page kind). The path is the visitor's as written: /certificates/007/ gives
    # /en/certificates/007/ (the same page), where reverse() wrote /7/.
    if match.view_name not in _language_prefixed_views(get_resolver(get_urlconf())):
        return full_path  # outside i18n_patterns: the same address in every language
    current = translation.get_language()
    bare = request.path_info
    if current != settings.LANGUAGE_CODE:
        prefix = f"/{current}/"
        if not bare.startswith(prefix):
            return translate_url(full_path, language)
        bare = bare[len(prefix) - 1 :]
    path = bare if language == settings.LANGUAGE_CODE else f"/{language}{bare}"
    query = full_path.partition("?")[2]
    path = request.path.removesuffix(request.path_info) + path  # the script's prefix, if any
    return f"{path}?{query}" if query else path


@register.simple_tag
def breadcrumb_trail(breadcrumbs):
    """The page's trail under the header: home, then each (label, address) of `breadcrumbs`, the last
    without an address (the page itself). Built here, not by an included template: its include and loop
    were a sixth of every page's shell."""
    steps = format_html_join(
        "",
        "\n    <li>{}</li>",
        (
            (
                format_html('<a href="{}">{}</a>', url, label)
                if url
                else format_html('<span aria-current="page">{}</span>', label),
            )
            for label, url in breadcrumbs
        ),
    )
    return format_html(
        '<nav class="breadcrumbs container" aria-label="{}">\n  <ol>\n    <li><a href="{}">{}</a></li>{}\n'
        "  </ol>\n</nav>",
        _("Đường dẫn"),
        reversed_url("home"),
        _("Trang chủ"),
        steps,
    )


@functools.lru_cache(maxsize=4)
def _language_prefixed_views(resolver):
    """The names of the views under i18n_patterns (their addresses carry a language prefix)."""

    def names(patterns, namespace, prefixed):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from names(
                    pattern.url_patterns, inner, prefixed or isinstance(pattern.pattern, LocalePrefixPattern)
                )
            elif prefixed and pattern.name:
                yield namespace + pattern.name

    return frozenset(names(resolver.url_patterns, "", False))


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    request = context.get("request")
    if request is None:
        return path or ""
    return request.build_absolute_uri(path if path is not None else request.path)


@register.filter
def json_ld(data):
    """A schema.org data block: JSON, not script, so a strict CSP leaves it alone."""
    payload = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def pagination(page, filterset):
    """Page links that keep the filters; long ranges are elided around the current page. Built here, not by
    an included template (its nodes cost a list page ~0.2 ms); tests/site/test_shell_pieces.py compares."""
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return ""
    items = []
    if page.has_previous():
        previous = filterset.page_url(page.number - 1)
        items.append(format_html('<a href="{}" rel="prev">‹ {}</a>', previous, _("Trang trước")))
    hidden = format_html('<span class="visually-hidden">{} </span>', _("Trang"))
    for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append(mark_safe('<span class="ellipsis" aria-hidden="true">…</span>'))
        elif number == page.number:
            items.append(format_html('<a href="{}" aria-current="page">{}</a>', filterset.page_url(number), number))
        else:
            items.append(format_html('<a href="{}">{}{}</a>', filterset.page_url(number), hidden, number))
    if page.has_next():
        following = filterset.page_url(page.number + 1)
        items.append(format_html('<a href="{}" rel="next">{} ›</a>', following, _("Trang sau")))
    return format_html(
        '<nav class="pagination" aria-label="{}">\n  <ul>\n{}\n  </ul>\n</nav>',
        _("Phân trang"),
        format_html_join("\n", "    <li>{}</li>", ((item,) for item in items)),
    )


@register.inclusion_tag("includes/star_chart.html")
def star_chart(rows, title):
    """A column chart (SVG) of products by current stars: rows of (label, count, url, css class)."""
    # Wide gaps and margins: a label ("Chưa có hạng", 14 px) is half as wide again as its column.
    margin, top, baseline, column, gap = 10, 28, 170, 64, 36
    width = 2 * margin + len(rows) * (column + gap)
    highest = max((count for _l, count, _u, _c in rows), default=0) or 1
    columns = []
    for i, (label, count, url, css) in enumerate(rows):
        height = round((baseline - top) * count / highest)
        x = margin + gap / 2 + i * (column + gap)
        columns.append(
            {
                "label": label,
                "count": count,
                "url": url,
                "css": css,
                "x": x,
                "y": baseline - height,
                "width": column,
                "height": height,
                "text_x": x + column / 2,
                "count_y": baseline - height - 8,
                "label_y": baseline + 22,
            }
        )
    return {"columns": columns, "title": title, "width": width, "height": baseline + 34, "baseline": baseline}


@register.inclusion_tag("includes/bar_rows.html")
def bar_rows(rows, title):
    """Horizontal bars (one small SVG each) with HTML labels that wrap on a phone."""
    highest = max((count for _l, count, _u, _c in rows), default=0) or 1
    bars = [
        {"label": label, "count": count, "url": url, "css": css, "width": round(100 * count / highest, 1)}
        for label, count, url, css in rows
    ]
    return {"bars": bars, "title": title}


@register.inclusion_tag("includes/province_map.html")
def province_map(provinces, rated, former):
    """The tile map of the 34 units (ocop_catalogue/province_map.py)."""
    return map_context(provinces, rated, former)


@register.simple_tag
def province_overview(provinces, rated, former):
    """The home page's map and list of the 34 units with their counts (ocop_catalogue/province_map.py)."""
    return overview_html(provinces, rated, former)


@register.simple_tag
def certificate_matches(query):
    """The register's GIs and marks bearing the name searched for (ocop_catalogue/register_matches.py)."""
    return register_matches(query)
