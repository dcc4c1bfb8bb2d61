"""The badges built in Python (ocop_catalogue/badges.py) give the markup of the templates they replace.

The old templates are kept here as they were: the tags must render them byte for byte, in both
languages, for every status, kind, star count, date, size and picture variant.
"""

import datetime
import itertools

import pytest
from django.template import Context, Engine, Template
from django.utils import translation

from core.validity import CertificateKind, Status
from ocop_catalogue import badges

OLD_RATING = (
    '{% load i18n %}<span class="rating{% if size %} rating-{{ size }}{% endif %}"><span class="rating-stars" '
    'aria-hidden="true">{% for i in on %}★{% endfor %}{% for i in off %}☆{% endfor %}</span> <span class="rating-text">'
    "{% blocktranslate count n=stars trimmed %}{{ n }} sao{% plural %}{{ n }} sao{% endblocktranslate %}</span></span>"
    '{% if until %} <span class="rating-until">{% blocktranslate with date=until|date:"d/m/Y" trimmed %}hiệu lực đến '
    "{{ date }}{% endblocktranslate %}</span>{% endif %}\n"
)
ICON = '<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">'
OLD_STATUS = (
    '{% if status %}<span class="status status-{{ css }}">{% if css == "valid" %}' + ICON + '<path d="M3 8.5l3.2 '
    '3.2L13 4.8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>'
    '</svg>{% elif css == "expiring" %}' + ICON + '<circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" '
    'stroke-width="1.8"/><path d="M8 4.5V8l2.5 1.6" fill="none" stroke="currentColor" stroke-width="1.8" '
    'stroke-linecap="round"/></svg>{% elif css == "expired" %}' + ICON + '<path d="M4 4l8 8M12 4l-8 8" fill="none" '
    'stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>{% else %}' + ICON + '<circle cx="8" '
    'cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M3.8 12.2l8.4-8.4" fill="none" '
    'stroke="currentColor" stroke-width="1.8"/></svg>{% endif %}<span class="status-text">{{ status.label }}</span>'
    '{% if date %} <span class="status-date">{{ date|date:"d/m/Y" }}</span>{% endif %}</span>{% endif %}\n'
)
OLD_KIND = '<span class="kind kind-{{ css }}">{{ label }}</span>\n'
OLD_IMAGE = (
    '{% if url %}<img src="{{ url }}" width="{{ width }}" height="{{ height }}" alt="{{ alt }}"{% if lazy %} '
    'loading="lazy" decoding="async"{% endif %} class="photo photo-{{ size }}{% if placeholder %} photo-placeholder'
    '{% endif %}">{% endif %}\n'
)
DAYS = (None, datetime.date(2027, 3, 9), datetime.date(2025, 12, 31))
LANGUAGES = ("vi", "en")


def old(source, **context):
    return Engine.get_default().from_string(source).render(Context(context))


def new(source, **context):
    return Template("{% load catalogue %}" + source).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rating_is_the_old_templates(language):
    with translation.override(language):
        for stars, until, size in itertools.product(range(6), DAYS, ("", "large")):
            expected = old(OLD_RATING, stars=stars, until=until, size=size, on=range(stars), off=range(5 - stars))
            assert new("{% rating stars until size %}", stars=stars, until=until, size=size) == expected
        assert "★★★★☆" in new("{% rating 4 %}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_status_badge_is_the_old_templates(language):
    with translation.override(language):
        for status, date in itertools.product(Status, DAYS):
            expected = old(OLD_STATUS, status=status, css=status.value, date=date)
            assert new("{% status_badge code date %}", code=status.value, date=date) == expected
        assert new('{% status_badge "nonsense" %}') == old(OLD_STATUS, status=None) == "\n"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kind_badge_is_the_old_templates(language):
    short = {CertificateKind.GI: "gi", CertificateKind.OCOP: "ocop"}
    with translation.override(language):
        for kind, is_short in itertools.product(CertificateKind, (False, True)):
            label = "OCOP" if is_short and kind == CertificateKind.OCOP else kind.label
            css = short.get(kind, "mark")
            assert new("{% kind_badge kind short %}", kind=kind.value, short=is_short) == old(
                OLD_KIND, label=label, css=css
            )
        assert new("{% kind_badge kind %}", kind="<x>") == old(OLD_KIND, label="<x>", css="other")


def test_a_picture_is_the_old_templates():
    urls = ("", "/media/thumbs/a-card.jpg", "/static/img/category/che.abc.svg?x=1&y=<2>")
    alts = ("", 'Chè "Shan" <tuyết> & co', "Hình vẽ")
    for url, alt, lazy, placeholder, size in itertools.product(
        urls, alts, (True, False), (True, False), ("card", "large")
    ):
        values = {"url": url, "width": 480, "height": 360, "alt": alt, "lazy": lazy, "placeholder": placeholder}
        assert badges.image_html(**values, size=size) == old(OLD_IMAGE, **values, size=size)
