"""The product card that lists, searches, the home page and a product's related products repeat, built
as HTML in Python: as an included template with its picture, badges and shortlist form it was most of
a list page's rendering (24 cards: ~4.6 ms of ~20 at 100,000 products). The markup is the template's
as it was, byte for byte (tests/site/test_product_card.py keeps the old template and compares)."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.i18n import localized_name
from core.validity import CertificateKind

from . import badges


def card_badges_html(product) -> str:
    """The current OCOP rating (or the words that there is none), then the GI and mark badges."""
    if product.current_stars:
        rating = badges.rating_html(int(product.current_stars))
    else:
        rating = format_html('<span class="no-rating">{}</span>', gettext("Chưa có hạng OCOP còn hiệu lực"))
    gi = badges.kind_html(CertificateKind.GI.label, "gi") if product.has_gi else ""
    mark = format_html('<span class="kind kind-mark">{}</span>', gettext("Nhãn hiệu")) if product.has_mark else ""
    return format_html("      {}\n      {}\n      {}\n", rating, gi, mark)


def product_card_html(product, picture: str, button: str) -> str:
    """One card: `picture` is its <img> (the product_image tag's), `button` its shortlist form (trade/buttons.py)."""
    return format_html(
        '<article class="card product-card">\n'
        '  <div class="card-media">{picture}</div>\n'
        '  <div class="card-body">\n'
        '    <p class="card-kicker">{category}</p>\n'
        '    <h3 class="card-title"><a href="{url}">{name}</a></h3>\n'
        '    <p class="card-meta">{producer}<br><span class="card-place">{province}</span></p>\n'
        '    <div class="card-badges">\n'
        "{badges}"
        "    </div>\n"
        "    {button}\n"
        "  </div>\n"
        "</article>\n",
        picture=mark_safe(picture),  # noqa: S308 (built by badges.image_html, values escaped)
        category=localized_name(product.category),
        url=product.get_absolute_url(),
        name=product.name,
        producer=product.producer.name,
        province=localized_name(product.producer.province),
        badges=card_badges_html(product),
        button=mark_safe(button),  # noqa: S308 (built by trade/buttons.py, values escaped)
    )
