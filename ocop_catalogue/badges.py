"""The small badges and pictures that the public pages repeat on every card and certificate: rating
stars, status, certificate kind and product photos, built as HTML in Python.

They were inclusion tags, each rendering a template of its own in a new context; on a list of 24
cards that cost more than the rest of a card. The markup is the templates' as it was, byte for byte
(tests/site/test_badges.py compares them).
"""

from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from core.validity import CertificateKind, Status

KIND_SHORT = {
    CertificateKind.GI: "gi",
    CertificateKind.CERTIFICATION_MARK: "mark",
    CertificateKind.COLLECTIVE_MARK: "mark",
    CertificateKind.OCOP: "ocop",
}

# The status icons (never colour alone), by the status's CSS class; any other status: the "unknown" one.
_ICON = '<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">{}</svg>'
STATUS_ICONS = {
    "valid": _ICON.format(
        '<path d="M3 8.5l3.2 3.2L13 4.8" fill="none" stroke="currentColor" stroke-width="2.2" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "expiring": _ICON.format(
        '<circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.8"/>'
        '<path d="M8 4.5V8l2.5 1.6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>'
    ),
    "expired": _ICON.format(
        '<path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>'
    ),
}
OTHER_STATUS_ICON = _ICON.format(
    '<circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.8"/>'
    '<path d="M3.8 12.2l8.4-8.4" fill="none" stroke="currentColor" stroke-width="1.8"/>'
)


def day(value):
    """A date as the pages print it (the `date:"d/m/Y"` filter)."""
    return format_date(value, "d/m/Y")


def rating_html(stars: int, until=None, size="") -> str:
    """Stars drawn and said in words ("4 sao" / "4 stars"), with the rating's last day if given."""
    words = ngettext("%(n)s sao", "%(n)s sao", stars) % {"n": stars}
    html = (
        f'<span class="rating{" rating-" + escape(size) if size else ""}">'
        f'<span class="rating-stars" aria-hidden="true">{"★" * stars}{"☆" * (5 - stars)}</span> '
        f'<span class="rating-text">{words}</span></span>'
    )
    if until:
        html += f' <span class="rating-until">{gettext("hiệu lực đến %(date)s") % {"date": day(until)}}</span>'
    return mark_safe(html + "\n")  # noqa: S308 (translations are ours, values escaped or numbers)


def status_html(status, css: str, date=None) -> str:
    """A status in words with its icon; `status` None: nothing but the line end."""
    if status is None:
        return mark_safe("\n")
    icon = STATUS_ICONS.get(css, OTHER_STATUS_ICON)
    when = format_html(' <span class="status-date">{}</span>', day(date)) if date else ""
    return format_html(
        '<span class="status status-{}">{}<span class="status-text">{}</span>{}</span>\n',
        css,
        mark_safe(icon),  # noqa: S308 (constant markup)
        status.label,
        when,
    )


def kind_html(label, css: str) -> str:
    return format_html('<span class="kind kind-{}">{}</span>\n', css, label)


def status_badge_html(code, date=None) -> str:
    """A status (its code) in words with an icon, never in colour alone (the tag `status_badge`)."""
    try:
        status = Status(code)
    except ValueError:
        return status_html(None, "")
    # The CSS class is the status's own code (status-valid, status-unknown, …): no second list to keep.
    return status_html(status, status.value, date)


def kind_badge_html(kind, short=False) -> str:
    """A certificate kind in words; `short` says just "OCOP" for a rating decision (the tag `kind_badge`)."""
    try:
        kind = CertificateKind(kind)
    except ValueError:
        return kind_html(kind, "other")
    label = "OCOP" if short and kind == CertificateKind.OCOP else kind.label
    return kind_html(label, KIND_SHORT[kind])


def image_html(url, width, height, alt, lazy, placeholder, size) -> str:
    """An <img> of a product photo or placeholder drawing; no URL: nothing but the line end."""
    if not url:
        return mark_safe("\n")
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}"{} class="photo photo-{}{}">\n',
        url,
        width,
        height,
        alt,
        mark_safe(' loading="lazy" decoding="async"' if lazy else ""),  # noqa: S308 (constant markup)
        size,
        mark_safe(" photo-placeholder" if placeholder else ""),  # noqa: S308 (constant markup)
    )
