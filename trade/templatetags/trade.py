"""Template helpers for buyers: the shortlist's size and a product's shortlist button (read from the session)."""

from django import template

from ..buttons import shortlist_button_for
from ..shortlist import Shortlist
from ..spreadsheets import XLSX_MAX_ROWS

register = template.Library()


def _shortlist(context):
    request = context.get("request")
    return Shortlist(getattr(request, "session", None))


@register.simple_tag(takes_context=True)
def shortlist_count(context):
    return len(_shortlist(context))


@register.simple_tag(takes_context=True)
def shortlist_button(context, product):
    """The product's shortlist form (trade/buttons.py), back to this page after posting."""
    return shortlist_button_for(context.get("request"), product)


@register.simple_tag
def xlsx_max_rows():
    """How many products an XLSX download of the list holds at most (bigger selections get a page instead)."""
    return XLSX_MAX_ROWS
