"""The product list's filter panel (every facet with its options and counts), built as HTML in Python.

As an included template it was half of a list page's rendering (~100 options, each a handful of
variable lookups: 2-3.5 ms of CPU a page); here it is one pass over the options. The markup is the
template's as it was, byte for byte (tests/site/test_filter_panel.py keeps the old template, products/_filters.html, and
compares).
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.i18n import grouped

LONG_FACET = 8  # more options than this: the list scrolls (the facet-long class)


def _option(facet, option) -> str:
    empty = ' class="is-empty"' if not option.count and not option.selected else ""
    kind = "checkbox" if facet.multiple else "radio"
    checked = " checked" if option.selected else ""
    return (
        f'\n        <li{empty}><label><input type="{kind}" name="{escape(facet.name)}" '
        f'value="{escape(str(option.value))}"{checked}> <span class="opt-label">{escape(str(option.label))}</span> '
        f'<span class="opt-count">{grouped(option.count)}</span></label></li>\n        '
    )


def _facet(facet, everything: str) -> str:
    """A facet's fieldset (nothing for a facet without options), between the loop's line breaks."""
    if not facet.options:
        return "\n    \n    "
    name = escape(facet.name)
    long = "facet-long" if len(facet.options) > LONG_FACET else ""
    every = ""
    if not facet.multiple:
        checked = "" if facet.selected_count else " checked"
        every = (
            f'\n        <li><label><input type="radio" name="{name}" value=""{checked}> '
            f'<span class="opt-label">{everything}</span></label></li>\n        '
        )
    return (
        f'\n    \n    <fieldset class="facet facet-{name}">\n'
        f"      <legend>{escape(str(facet.label))}</legend>\n"
        f'      <ul class="{long}">\n        {every}\n        '
        + "".join(_option(facet, option) for option in facet.options)
        + "\n      </ul>\n    </fieldset>\n    \n    "
    )


def filter_panel_html(facets, *, query_text="", chip_count=0, explicit_sort="") -> SafeString:
    """The panel of `facets` (products/facets.py's Facet), the words searched for, how many filters are
    on (the badge on a phone's folded panel) and the sort chosen, kept by the form."""
    action = escape(reverse("products:product_list"))
    badge = f' <span class="badge-count">{chip_count}</span>' if chip_count else ""
    everything = escape(gettext("Tất cả"))
    sort = f'<input type="hidden" name="sort" value="{escape(explicit_sort)}">' if explicit_sort else ""
    return SafeString(
        '<details class="filters-panel" data-open-wide>\n'
        f"  <summary>{escape(gettext('Bộ lọc'))}{badge}</summary>\n"
        f'  <form method="get" action="{action}" class="filter-form" data-autosubmit>\n'
        '    <div class="field">\n'
        f'      <label for="filter-q">{escape(gettext("Từ khóa"))}</label>\n'
        f'      <input id="filter-q" type="search" name="q" maxlength="200" value="{escape(query_text)}">\n'
        "    </div>\n    " + "".join(_facet(facet, everything) for facet in facets) + f"\n    {sort}\n"
        '    <div class="filter-actions">\n'
        f'      <button type="submit">{escape(gettext("Áp dụng bộ lọc"))}</button>\n'
        f'      <a href="{action}">{escape(gettext("Xóa bộ lọc"))}</a>\n'
        "    </div>\n"
        "  </form>\n"
        "</details>\n"
    )
