"""The product card and the shortlist button built in Python (ocop_catalogue/cards.py, trade/buttons.py)
give the markup of the templates they replace.

The old templates are kept here as they were. The card and its button must render the same markup in
both languages, for a product with and without a photo, stars, a GI, a mark, on and off the shortlist;
the one difference allowed is a whitespace-only line the old button template left after the "listed"
button.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Engine
from django.test import RequestFactory
from django.urls import NoReverseMatch
from django.utils import translation

from ocop_catalogue import cards
from ocop_catalogue.templatetags.catalogue import _card_photo
from products.models import Product
from tests import factories as f
from tests.upload_files import jpeg
from trade.buttons import shortlist_button_html

pytestmark = pytest.mark.django_db

OLD_CARD = (
    '{% load i18n catalogue %}<article class="card product-card">\n'
    '  <div class="card-media">{% product_image product "card" decorative=True %}</div>\n'
    '  <div class="card-body">\n'
    '    <p class="card-kicker">{{ product.category|localized }}</p>\n'
    '    <h3 class="card-title"><a href="{{ product.get_absolute_url }}">{{ product.name }}</a></h3>\n'
    '    <p class="card-meta">{{ product.producer.name }}<br><span class="card-place">{{ product.producer'
    ".province|localized }}</span></p>\n"
    '    <div class="card-badges">\n'
    '      {% if product.current_stars %}{% rating product.current_stars %}{% else %}<span class="no-rati'
    'ng">{% translate "Chưa có hạng OCOP còn hiệu lực" %}</span>{% endif %}\n'
    '      {% if product.has_gi %}{% kind_badge "gi" %}{% endif %}\n'
    '      {% if product.has_mark %}<span class="kind kind-mark">{% translate "Nhãn hiệu" %}</span>{% end'
    "if %}\n"
    "    </div>\n"
    '    {% include "trade/_shortlist_button.html" %}\n'
    "  </div>\n"
    "</article>\n"
)
OLD_BUTTON = (
    '{% load i18n trade %}{% in_shortlist product as listed %}<form class="shortlist-form" id="shortlist-'
    '{{ product.slug }}" method="post" action="{% if listed %}{% url \'products:shortlist_remove\' %}{% els'
    "e %}{% url 'products:shortlist_add' %}{% endif %}\">\n"
    '  <input type="hidden" name="product" value="{{ product.slug }}">\n'
    '  <input type="hidden" name="next" value="{{ request.get_full_path }}">\n'
    '  {% if listed %}{% translate "Đã chọn · Bỏ chọn" as label %}<button type="submit" class="shortlist-'
    'button is-listed" aria-label="{{ label }}: {{ product.name }}"><span aria-hidden="true">✓</span> {{ '
    "label }}</button>\n"
    '  {% else %}{% translate "Thêm vào danh sách chọn" as label %}<button type="submit" class="shortlist'
    '-button" aria-label="{{ label }}: {{ product.name }}"><span aria-hidden="true">+</span> {{ label }}<'
    "/button>{% endif %}\n"
    "</form>\n"
)


def _old_engine(listed_pks):
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", {"trade/_shortlist_button.html": OLD_BUTTON})],
        libraries={
            "i18n": "django.templatetags.i18n",
            "catalogue": "ocop_catalogue.templatetags.catalogue",
            "trade": "tests.site.old_trade_tags",
        },
    )
    engine.listed = listed_pks
    return engine


def _blank_lines_dropped(html):
    return re.sub(r"\n[ ]*(?=\n)", "", html)


@pytest.fixture
def variants():
    plain = f.product(name='Bánh <đa> & "vừng"')
    rated = f.rated_product(stars=4, name="Chè Shan tuyết")
    gi = f.certificate("gi", title="Mộc Châu")
    f.entry(gi, rated)
    mark = f.certificate("certification_mark", title="Nhãn hiệu thử", valid_until=None)
    f.entry(mark, plain)
    pictured = f.product(name="Có ảnh")
    pictured.image.save("main.jpg", ContentFile(jpeg()), save=True)
    pks = [plain.pk, rated.pk, pictured.pk]
    return list(Product.objects.filter(pk__in=pks).for_cards().order_by("pk"))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("listed", [False, True])
def test_the_card_is_the_old_templates_markup(variants, language, listed):
    request = RequestFactory().get("/products/?q=ch%C3%A8&page=2")
    listed_pks = {product.pk for product in variants} if listed else set()
    with translation.override(language):
        engine = _old_engine(listed_pks)
        template = engine.from_string(OLD_CARD)
        for product in variants:
            old = template.render(Context({"product": product, "request": request, "listed_pks": listed_pks}))
            maker = cards.CardMaker(listed=listed_pks, next_url=request.get_full_path(), picture=_photo)
            new = maker(product)
            assert _blank_lines_dropped(new) == _blank_lines_dropped(old), product.name
            assert (listed and new != old) or new == old  # only the blank line differs
            assert maker(product) == new, product.name  # and again, from what the maker kept


def _photo(product):
    """The cards' own picture (from the row's names), compared with what the old template drew."""
    return _card_photo(product)


def test_the_card_maker_leaves_a_slug_the_address_refuses_to_reverse(variants):
    """Only slugs that reverse() writes as they are take the short way; any other goes through reverse()."""
    product = variants[0]
    product.slug = "bánh-đa"
    maker = cards.CardMaker(listed=(), next_url="/", picture=_photo)
    with pytest.raises(NoReverseMatch):
        product.get_absolute_url()
    with pytest.raises(NoReverseMatch):
        maker(product)


def test_the_card_maker_works_in_the_language_of_the_page(variants, client):
    """A list in English gives English cards (the maker is kept per render and language)."""
    response = client.get("/en/products/")
    html = response.content.decode()
    assert 'href="/en/products/' in html and "Add to shortlist" in html
    assert "Thêm vào danh sách chọn" not in html


def test_the_variants_cover_every_badge(variants):
    plain, rated, pictured = variants
    assert rated.current_stars == 4 and rated.has_gi and plain.has_mark and not plain.current_stars
    assert pictured.image and not plain.image


def test_the_button_escapes_the_page_address():
    product = f.product(name="Mật ong")
    html = shortlist_button_html(product, listed=False, next_url='/products/?q="><script>')
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_the_card_maker_escapes_the_page_address_and_the_names():
    product = Product.objects.filter(pk=f.product(name='Trà <"hoa"> & sen').pk).for_cards().get()
    html = cards.CardMaker(listed=(), next_url='/products/?q="><script>', picture=_photo)(product)
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html
    assert "Trà &lt;&quot;hoa&quot;&gt; &amp; sen" in html and '<"hoa">' not in html


def test_the_page_address_cannot_be_taken_for_where_a_card_puts_its_values(variants):
    """The shortlist form is cut once around the card's slug and name; what a visitor puts in the address
    (the form's `next`) is never taken for those places."""
    request = RequestFactory().get("/products/?x=name-mark-0&y=slug-mark-0&z=%00name%00")
    with translation.override("vi"):
        template = _old_engine(set()).from_string(OLD_CARD)
        maker = cards.CardMaker(listed=(), next_url=request.get_full_path(), picture=_photo)
        for product in variants:
            old = template.render(Context({"product": product, "request": request, "listed_pks": set()}))
            assert maker(product) == old, product.name


def test_what_cards_share_is_worked_out_once_per_language_and_prefix(variants):
    from django.urls import set_script_prefix

    product = variants[1]
    with translation.override("vi"):
        plain = cards.CardMaker(listed=(), next_url="/", picture=_photo)(product)
        assert cards._language_parts.cache_info().currsize >= 1
        set_script_prefix("/catalogue/")
        try:
            prefixed = cards.CardMaker(listed=(), next_url="/", picture=_photo)(product)
        finally:
            set_script_prefix("/")
    assert f'href="/catalogue/products/{product.slug}/"' in prefixed
    assert f'href="/products/{product.slug}/"' in plain
    assert prefixed.replace("/catalogue/", "/") == plain
    with translation.override("en"):
        english = cards.CardMaker(listed=(), next_url="/", picture=_photo)(product)
    assert "Add to shortlist" in english and "4 stars" in english


def test_a_card_s_row_is_one_object_holding_the_names_it_shows(variants):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for product in variants:
        assert product._state.fields_cache == {}  # no producer, province, category or group instances
        full = Product.objects.select_related("producer__province", "category__group").get(pk=product.pk)
        names = (
            product.card_producer,
            product.card_province,
            product.card_province_en,
            product.card_category,
            product.card_category_en,
            product.card_category_slug,
            product.card_group,
        )
        category = full.category
        assert names == (
            full.producer.name,
            full.producer.province.name,
            full.producer.province.name_en,
            category.name,
            category.name_en,
            category.slug,
            category.group.code,
        )
    maker = cards.CardMaker(listed=(), next_url="/", picture=_photo)
    with CaptureQueriesContext(connection) as queries:
        for product in variants:
            maker(product)
    assert len(queries) == 0  # the card reads nothing more


def test_a_filtered_list_s_cards_read_the_names_not_the_whole_related_rows(variants):
    """The product list's own queryset joins its relations (select_related); its cards must not."""
    from products.filters import ProductFilter

    cards_query = ProductFilter({}).qs.for_cards()
    rows = list(cards_query.filter(pk__in=[product.pk for product in variants]))
    assert rows and all(row._state.fields_cache == {} for row in rows)
    sql = str(cards_query.query)
    assert '"address"' not in sql and '"description"' not in sql  # the producer's and product's long columns
