"""The buyer's pages under /en/ hold no Vietnamese interface text (the rule of tests/site/test_english.py)."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from trade.shortlist import SESSION_KEY

from .trade_world import build_trade_world, buyer_data, new_address

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def translated_sources():
    with CATALOGUE.open("rb") as handle:
        messages = gettext.GNUTranslations(handle)._catalog
    sources = {
        (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]
        for key, value in messages.items()
        if key and value != (key[0] if isinstance(key, tuple) else key)
    }
    # Whole sentences and labels; placeholders and words that also occur in data are left out.
    return {s for s in sources if len(s) >= 14 and "%(" not in s}


def test_the_buyers_english_pages_hold_no_untranslated_interface_text(django_capture_on_commit_callbacks):
    world = build_trade_world()
    sources = translated_sources()
    buyer = Client(REMOTE_ADDR=new_address())
    session = buyer.session
    session[SESSION_KEY] = [world.tea.pk, world.fish_sauce.pk]
    session.save()
    pages = [
        "/en/products/?stars=4",
        "/en" + world.tea.get_absolute_url(),
        "/en" + world.sl_producer.get_absolute_url(),
        "/en/shortlist/",
        "/en/shortlist/enquiry/",
        f"/en/producers/{world.sl_producer.slug}/enquiry/",
        "/en/open-data/",
        "/en/enquiry/sent/",
    ]
    for url in pages:
        response = buyer.get(url)
        assert response.status_code == 200, url
        left = sorted(s for s in sources if s in response.content.decode())
        assert not left, (url, left)
    with django_capture_on_commit_callbacks(execute=True):
        sent = buyer.post("/en/shortlist/enquiry/", buyer_data(products=[world.tea.pk]), follow=True)
    content = sent.content.decode()
    assert "Your enquiry has been sent" in content
    assert not sorted(s for s in sources if s in content)
    refused = buyer.post("/en/shortlist/enquiry/", buyer_data(website="x")).content.decode()
    assert "The enquiry was not sent" in refused
    assert not sorted(s for s in sources if s in refused)
