"""The one tag the old shortlist-button template used, answering from the test's set of listed products
(tests/site/test_product_card.py)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def in_shortlist(context, product):
    return product.pk in context["listed_pks"]
