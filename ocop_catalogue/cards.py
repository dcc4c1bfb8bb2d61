"""The product card that lists, searches, the home page and a product's related products repeat, built
as HTML in Python: as an included template with its picture, badges and shortlist form it was most of
a list page's rendering. The markup is the template's as it was, byte for byte
(tests/site/test_product_card.py keeps the old template and compares).

A page of 24 cards repeats most of each card: the shortlist form's address and words, the badges, the
placeholder drawing of a category, the product address but for its slug. `CardMaker` works those out
once per page (profiled: a card went from ~0.2 ms of CPU to a few hundredths), so a card costs what
is its own: its names, escaped, put into strings ready for them.
"""

import functools
import re
from html import escape
from types import SimpleNamespace

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from core.i18n import localized_pair
from core.validity import STAR_LEVELS, CertificateKind
from trade.buttons import shortlist_button_html
from trade.shortlist import Shortlist

from . import badges

# What reverse() writes into a path as it is: a slug of only these needs no quoting.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_SLUG_MARK = "slug-mark-0"  # in the product address reverse() writes: no visitor's text there
# Where a card's own values go in its shortlist form: NUL never reaches markup (names refuse it; an
# address carries it percent-encoded), so no visitor's text can be taken for a mark.
_MARKS = SimpleNamespace(slug="\x00slug\x00", name="\x00name\x00")
_NEXT_MARK = "\x00next\x00"
_MARK_SPLIT = re.compile("(\x00(?:slug|name|next)\x00)")


def _card(picture, category, url, name, producer, province, badges_html, button) -> SafeString:
    """The card's markup from its parts, each already escaped or HTML."""
    return SafeString(
        '<article class="card product-card">\n'
        f'  <div class="card-media">{picture}</div>\n'
        '  <div class="card-body">\n'
        f'    <p class="card-kicker">{category}</p>\n'
        f'    <h3 class="card-title"><a href="{url}">{name}</a></h3>\n'
        f'    <p class="card-meta">{producer}<br><span class="card-place">{province}</span></p>\n'
        '    <div class="card-badges">\n'
        f"{badges_html}"
        "    </div>\n"
        f"    {button}\n"
        "  </div>\n"
        "</article>\n"
    )


class CardMaker:
    """The cards of one page in the active language: `maker(product)` gives a card's markup.

    `listed` holds the ids on the visitor's shortlist, `next_url` the page the shortlist forms come back
    to; `picture(product)` gives a product's <img>: its photo or its category's drawing (the product_image tag).
    """

    def __init__(self, *, listed, next_url, picture):
        self.listed = frozenset(listed)
        self.picture = picture
        self._drawings = {}
        self._next = escape(next_url)
        parts = _language_parts(get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
        self._url, self._buttons, self._ratings, self._gi, self._mark = parts

    def __call__(self, product) -> SafeString:
        return _card(
            self._picture(product),
            escape(localized_pair(product.card_category, product.card_category_en)),
            self._address(product),
            escape(product.name),
            escape(product.card_producer),
            escape(localized_pair(product.card_province, product.card_province_en)),
            self._badges(product),
            self._button(product),
        )

    def _address(self, product) -> str:
        if _PLAIN_SLUG.match(product.slug):
            return self._url[0] + product.slug + self._url[1]
        return escape(product.get_absolute_url())

    def _picture(self, product) -> str:
        """The photo, or the drawing of the product's category (the same for every card of it: made once)."""
        if product.image:
            return self.picture(product)
        if product.category_id not in self._drawings:
            self._drawings[product.category_id] = self.picture(product)
        return self._drawings[product.category_id]

    def _badges(self, product) -> str:
        stars = int(product.current_stars or 0)
        rating = self._ratings.get(stars)
        if rating is None:  # not a level of OCOP (3-5): drawn as it is
            rating = badges.rating_html(stars)
        gi = self._gi if product.has_gi else ""
        mark = self._mark if product.has_mark else ""
        return f"      {rating}\n      {gi}\n      {mark}\n"

    def _button(self, product) -> str:
        literals, next_url = self._buttons[product.pk in self.listed], self._next
        values = {_MARKS.slug: escape(product.slug), _MARKS.name: escape(product.name), _NEXT_MARK: next_url}
        return "".join(values.get(part, part) for part in literals)


def _button_parts(listed):
    """The shortlist form (trade/buttons.py's) cut into its constant parts and the marks where the
    product's slug and name and the page's address go."""
    html = shortlist_button_html(_MARKS, listed=listed, next_url=_NEXT_MARK)
    return tuple(part for part in _MARK_SPLIT.split(html) if part)


@functools.lru_cache(maxsize=16)
def _language_parts(language, prefix, urlconf, root):
    """What every card of a page in `language` shares, worked out once per process: the product address
    cut where the slug goes, the shortlist forms' parts, the rating badges of no rating and of 1-5 stars,
    the GI and mark badges. (The arguments other than the language key it: the address depends on them.)"""
    url = escape(reverse("products:product_detail", kwargs={"slug": _SLUG_MARK})).split(_SLUG_MARK)
    buttons = {listed: _button_parts(listed) for listed in (False, True)}
    ratings = {0: f'<span class="no-rating">{escape(gettext("Chưa có hạng OCOP còn hiệu lực"))}</span>'}
    ratings |= {stars: badges.rating_html(stars) for stars in STAR_LEVELS}
    gi = badges.kind_html(CertificateKind.GI.label, "gi")
    mark = f'<span class="kind kind-mark">{escape(gettext("Nhãn hiệu"))}</span>'
    return url, buttons, ratings, gi, mark


setting_changed.connect(lambda **kwargs: _language_parts.cache_clear(), weak=False, dispatch_uid="cards.parts")


def card_maker(render_context, request, picture) -> CardMaker:
    """The page's CardMaker, kept in the template's render context (one per render and language)."""
    key = ("card-maker", get_language())
    maker = render_context.get(key)
    if maker is None:
        listed = Shortlist(getattr(request, "session", None)).ids if request is not None else ()
        next_url = request.get_full_path() if request is not None else ""
        maker = render_context[key] = CardMaker(listed=listed, next_url=next_url, picture=picture)
    return maker
