"""The shortlist button of a product, built as HTML in Python: every card of a list carries one, and as
an included template it cost as much as the rest of the card. The markup is the template's as it was
(tests/site/test_product_card.py keeps the old template and compares)."""

from django.utils.html import format_html
from django.utils.translation import gettext

from core.links import page_url

from .shortlist import Shortlist


def shortlist_button_for(request, product) -> str:
    """The button of `product` on the page of `request`: listed or not by the visitor's session, posting
    back to this page."""
    listed = product.pk in Shortlist(getattr(request, "session", None))
    return shortlist_button_html(product, listed=listed, next_url=request.get_full_path() if request else "")


def shortlist_button_html(product, *, listed: bool, next_url: str) -> str:
    """A form posting `product` to the shortlist (or off it when `listed`), coming back to `next_url`."""
    if listed:
        action, label, css, mark = (
            page_url("products:shortlist_remove"),
            gettext("Đã chọn · Bỏ chọn"),
            " is-listed",
            "✓",
        )
    else:
        action, label, css, mark = page_url("products:shortlist_add"), gettext("Thêm vào danh sách chọn"), "", "+"
    return format_html(
        '<form class="shortlist-form" id="shortlist-{slug}" method="post" action="{action}">\n'
        '  <input type="hidden" name="product" value="{slug}">\n'
        '  <input type="hidden" name="next" value="{next}">\n'
        '  <button type="submit" class="shortlist-button{css}" aria-label="{label}: {name}">'
        '<span aria-hidden="true">{mark}</span> {label}</button>\n'
        "</form>\n",
        slug=product.slug,
        action=action,
        next=next_url,
        css=css,
        label=label,
        name=product.name,
        mark=mark,
    )
