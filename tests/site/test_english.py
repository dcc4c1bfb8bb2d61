"""English under /en/: every interface string translated, ratings in "N stars", statuses in words."""

import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from core.validity import today
from tests import factories as f

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def days(n):
    return today() + datetime.timedelta(days=n)


def html(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def world():
    product = f.product(name="Chè Shan tuyết Mộc Châu")
    decision = f.certificate("ocop", issued_on=days(-30), number="1032/QĐ-UBND")
    f.entry(decision, product, stars=4)
    old = f.certificate("ocop", issued_on=days(-1200), valid_until=days(-1), number="7/QĐ-UBND")
    f.entry(old, product, stars=5)
    revoked = f.certificate("ocop", issued_on=days(-100), revoked_on=days(-1), number="8/QĐ-UBND")
    f.entry(revoked, product, stars=3)
    return {"product": product.get_absolute_url(), "decision": decision.get_absolute_url()}


def test_the_rating_says_n_stars_in_english(client, world):
    content = html(client.get("/en" + world["product"]))
    rating = re.search(r'<span class="rating rating-large">(.*?)</span></span>', content, re.S).group(1)
    assert "4 stars" in re.sub(r"<[^>]+>", "", rating)
    for words in ("valid", "superseded", "revoked"):
        assert f'<span class="status-text">{words}</span>' in content
    assert "Current OCOP rating" in content


def test_english_pages_hold_no_untranslated_interface_text(client, world):
    with CATALOGUE.open("rb") as handle:
        messages = gettext.GNUTranslations(handle)._catalog
    sources = {
        (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]
        for key, value in messages.items()
        if key and value != (key[0] if isinstance(key, tuple) else key)
    }
    # Whole sentences and labels; placeholders and words that also occur in data are left out.
    sources = {s for s in sources if len(s) >= 14 and "%(" not in s}
    assert len(sources) > 100
    pages = [
        "/en/",
        "/en/products/?stars=4&province=atlantis",
        "/en/products/?q=zzzz",
        "/en" + world["product"],
        "/en/provinces/",
        "/en/provinces/son-la/",
        "/en/producers/",
        "/en/certificates/",
        "/en" + world["decision"],
        "/en/certificates/verify/?number=1032/QD-UBND",
        "/en/certificates/verify/?number=9999",
    ]
    for url in pages:
        content = html(client.get(url))
        left = sorted(s for s in sources if s in content)
        assert not left, (url, left)


def test_english_product_list_sorts_filters_and_exports_in_english(client, world):
    content = html(client.get("/en/products/", {"stars": "4"}))
    assert "4 stars and up" in content and "Most stars" in content and "Download CSV" in content
    body = client.get("/en/products/export.csv").content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Product,OCOP group,Category,Province,Producer,Producer type")
