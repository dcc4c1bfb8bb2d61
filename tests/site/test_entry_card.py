"""A product's certificate entries are cards built in Python (ocop_catalogue/entry_cards.py): byte for byte what
the included template they replace wrote, kept here as it was (but for a rating whose validity is unknown, once
called "no longer valid" beside its "validity not known" badge), for every status and kind in both languages."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from certifications.models import CertifiedProduct
from core import validity
from ocop_catalogue.entry_cards import entry_html
from producers.models import Province
from products.views import _entries
from tests import factories as f

pytestmark = pytest.mark.django_db

OLD_ENTRY = Template(
    """{% load i18n catalogue %}{% with certificate=entry.certificate %}
<article class="cert-card cert-{{ entry.status_code }}">
  <div class="cert-head">
    {% kind_badge certificate.kind %}
    {% if entry.status_code == "revoked" %}{% status_badge entry.status_code entry.revoked_on|default:certificate.revoked_on %}{% elif entry.status_code == "expired" %}{% status_badge entry.status_code certificate.valid_until %}{% else %}{% status_badge entry.status_code %}{% endif %}
  </div>
  <h3 class="cert-title"><a href="{{ certificate.get_absolute_url }}">{{ certificate.title }}</a></h3>
  <dl class="facts">
    {% if entry.stars %}<div><dt>{% translate "Hạng sao" %}</dt><dd>{% if entry.status_code == "valid" or entry.status_code == "expiring" %}{% rating entry.stars %}{% elif entry.status_code == "unknown" %}<span class="stars-unknown">{% blocktranslate count n=entry.stars trimmed %}{{ n }} sao (chưa rõ hiệu lực){% plural %}{{ n }} sao (chưa rõ hiệu lực){% endblocktranslate %}</span>{% else %}<span class="stars-past">{% blocktranslate count n=entry.stars trimmed %}{{ n }} sao (không còn hiệu lực){% plural %}{{ n }} sao (không còn hiệu lực){% endblocktranslate %}</span>{% endif %}</dd></div>{% endif %}
    <div><dt>{% translate "Số văn bản" %}</dt><dd>{% if certificate.number %}<span class="number">{{ certificate.number }}</span>{% else %}<span class="muted">{% translate "chưa rõ" %}</span>{% endif %}</dd></div>
    {% if certificate.decision and certificate.decision != certificate.number %}<div><dt>{% translate "Quyết định" %}</dt><dd>{{ certificate.decision }}</dd></div>{% endif %}
    <div><dt>{% translate "Cơ quan cấp" %}</dt><dd>{{ certificate.issuer|default:"—" }}</dd></div>
    <div><dt>{% translate "Ngày cấp" %}</dt><dd>{% if certificate.issued_on %}{{ certificate.issued_on|date:"d/m/Y" }}{% elif certificate.issued_year %}{% blocktranslate with year=certificate.issued_year trimmed %}năm {{ year }}{% endblocktranslate %}{% else %}<span class="muted">{% translate "chưa rõ" %}</span>{% endif %}</dd></div>
    <div><dt>{% translate "Hiệu lực đến" %}</dt><dd>{% if certificate.valid_until %}{{ certificate.valid_until|date:"d/m/Y" }}{% elif certificate.kind == "gi" %}{% translate "không thời hạn" %}{% else %}<span class="muted">{% translate "chưa rõ" %}</span>{% endif %}</dd></div>
    {% if certificate.former_province %}<div><dt>{% translate "Tỉnh ghi trên văn bản" %}</dt><dd>{% blocktranslate with old=certificate.former_province|localized new=certificate.province|localized trimmed %}{{ old }} (nay thuộc {{ new }}){% endblocktranslate %}</dd></div>{% endif %}
    {% if entry.right_of_use_number or entry.right_of_use_date %}<div><dt>{% translate "Quyền sử dụng" %}</dt><dd>{{ entry.right_of_use_number }}{% if entry.right_of_use_date %} · {{ entry.right_of_use_date|date:"d/m/Y" }}{% endif %}</dd></div>{% endif %}
    {% if entry.status_code == "superseded" and entry.superseded_by_id %}<div><dt>{% translate "Thay thế bởi" %}</dt><dd><a href="{% url 'certifications:certificate_detail' pk=entry.superseded_by.certificate_id %}">{% blocktranslate with date=entry.superseded_on|date:"d/m/Y" trimmed %}quyết định ngày {{ date }}{% endblocktranslate %}</a></dd></div>{% endif %}
    {% if entry.score is not None %}<div><dt>{% translate "Điểm đánh giá" %}</dt><dd>{{ entry.score }}/100</dd></div>{% endif %}
    {% if certificate.level %}<div><dt>{% translate "Cấp đánh giá" %}</dt><dd>{{ certificate.get_level_display }}</dd></div>{% endif %}
    {% if entry.status_code == "unknown" %}<div><dt>{% translate "Vì sao chưa rõ" %}</dt><dd>{% if certificate.is_ocop %}{% translate "Nguồn không cho biết ngày ký quyết định." %}{% else %}{% translate "Chưa ghi nhận ngày nộp đơn hay lần gia hạn." %}{% endif %} {% translate "Hãy hỏi cơ quan cấp để xác nhận." %}</dd></div>{% endif %}
    {% if entry.status_code == "revoked" %}{% with reason=entry.revocation_reason|default:certificate.revocation_reason %}{% if reason %}<div><dt>{% translate "Lý do thu hồi" %}</dt><dd>{{ reason }}</dd></div>{% endif %}{% endwith %}{% endif %}
  </dl>
</article>
{% endwith %}
"""  # noqa: E501 (the template as it was)
)


def _entries_of_every_kind():
    """Entries in every status, kind and combination of facts the card shows (an OCOP decision each on a
    product of its own: a newer decision on the same product supersedes the older ones)."""
    today = validity.today()
    days, months = datetime.timedelta(days=1), datetime.timedelta(days=30)
    products = []

    def on_its_own(certificate, **entry):
        product = f.product(name="Chè <Shan> & tuyết")
        products.append(product)
        return f.entry(certificate, product, **entry)

    valid = f.certificate("ocop", issued_on=today - 3 * months, decision="Số 12/QĐ khác", level="provincial")
    on_its_own(valid, stars=4, score=Decimal("85.50"))
    on_its_own(f.certificate("ocop", issued_on=today - 35 * months, valid_until=today + 10 * days), stars=3)
    expired = f.certificate(
        "ocop", issued_on=today - 40 * months, valid_until=today - 4 * months, title='Quyết định "cũ" <1>'
    )
    on_its_own(expired, stars=5)
    on_its_own(f.certificate("ocop", issued_on=None, number="", issuer=""), stars=3)
    revoked = f.certificate(
        "ocop", issued_on=today - 6 * months, revoked_on=today - months, revocation_reason="Vi phạm"
    )
    on_its_own(revoked, stars=4)
    withdrawn = on_its_own(f.certificate("ocop", issued_on=today - 5 * months), stars=3)
    CertifiedProduct.objects.filter(pk=withdrawn.pk).update(
        revoked_on=today - 2 * months, revocation_reason="Lý do <riêng>"
    )
    replaced = on_its_own(f.certificate("ocop", issued_on=today - 8 * months), stars=3)
    newer = f.entry(f.certificate("ocop", issued_on=today - 2 * months), f.product(), stars=4)
    CertifiedProduct.objects.filter(pk=replaced.pk).update(superseded_on=today - 2 * months, superseded_by=newer)
    former = Province.objects.filter(is_current=False).first()
    gi = f.certificate("gi", issued_on=None, issued_year=2019, former_province=former)
    on_its_own(gi, right_of_use_number="QSD-01 & <2>", right_of_use_date=today - months)
    on_its_own(f.certificate("certification_mark", issued_on=today - 12 * months), right_of_use_number="")
    mark = f.certificate("collective_mark", issued_on=today - 24 * months, valid_until=today + 96 * months)
    on_its_own(mark, right_of_use_date=today - months)
    return [entry for product in products for entry in _entries(product)]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_entry_is_the_old_templates_bytes(language):
    entries = _entries_of_every_kind()
    statuses = {entry.status_code for entry in entries}
    assert statuses >= {"valid", "expiring", "expired", "unknown", "revoked", "superseded"}, statuses
    request = RequestFactory().get("/products/x/")
    with translation.override(language):
        for entry in entries:
            old = OLD_ENTRY.render(Context({"entry": entry, "request": request}))
            assert entry_html(entry) == old, entry.certificate.title


def test_the_product_page_shows_its_entries_as_cards(client):
    product = f.rated_product(stars=4, name="Mật ong hoa nhãn")
    page = client.get(product.get_absolute_url()).content.decode()
    assert page.count('<article class="cert-card cert-valid">') == 1
    assert "4 sao" in page
