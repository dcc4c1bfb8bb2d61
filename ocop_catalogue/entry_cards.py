"""A product's certificate entry as a card (the product page's "Chứng nhận" section), built as HTML in Python.

As an included template (the include, a `with`, ~25 nodes and a dozen translations for each entry) it was a
fifth of the product page's template time. The markup is the template's as it was, byte for byte
(tests/site/test_entry_card.py keeps the old template and compares every kind of entry in both languages).
"""

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from core.i18n import localized_name
from core.links import page_url
from core.validity import IN_FORCE, CertificateKind, Status

from .badges import day, kind_badge_html, rating_html, status_badge_html


def _value(value):
    """A value as `{{ value }}` writes it: localized, then escaped."""
    return conditional_escape(localize(value))


def _fact(term, definition):
    return f"<div><dt>{gettext(term)}</dt><dd>{definition}</dd></div>"


def _muted_unknown():
    return f'<span class="muted">{gettext("chưa rõ")}</span>'


def _status(entry, certificate):
    code = entry.status_code
    if code == "revoked":
        return status_badge_html(code, entry.revoked_on or certificate.revoked_on)
    if code == "expired":
        return status_badge_html(code, certificate.valid_until)
    return status_badge_html(code)


def stars_html(entry):
    """An entry's stars as every page says them: drawn while in force, "chưa rõ hiệu lực" when the register
    cannot say, struck out in words once lapsed, expired, revoked or superseded. The product page's card and
    a decision's table of products (certifications/_covered.html) both say it through here."""
    n = entry.stars
    if not n:
        return SafeString(_muted_unknown())
    if entry.status_code in IN_FORCE:
        return rating_html(int(n))
    if entry.status_code == Status.UNKNOWN:  # the register cannot say whether it is still in force, nor deny it
        doubt = ngettext("%(n)s sao (chưa rõ hiệu lực)", "%(n)s sao (chưa rõ hiệu lực)", n) % {"n": _value(n)}
        return SafeString(f'<span class="stars-unknown">{doubt}</span>')
    past = ngettext("%(n)s sao (không còn hiệu lực)", "%(n)s sao (không còn hiệu lực)", n) % {"n": _value(n)}
    return SafeString(f'<span class="stars-past">{past}</span>')


def _stars(entry):
    return _fact("Hạng sao", stars_html(entry)) if entry.stars else ""


def _issued(certificate):
    if certificate.issued_on:
        return day(certificate.issued_on)
    if certificate.issued_year:
        return gettext("năm %(year)s") % {"year": _value(certificate.issued_year)}
    return _muted_unknown()


def _valid_until(certificate):
    if certificate.valid_until:
        return day(certificate.valid_until)
    if certificate.kind == CertificateKind.GI:
        return gettext("không thời hạn")
    return _muted_unknown()


def _former(certificate):
    if not certificate.former_province:
        return ""
    names = {
        "old": conditional_escape(localized_name(certificate.former_province)),
        "new": conditional_escape(localized_name(certificate.province)),
    }
    return _fact("Tỉnh ghi trên văn bản", gettext("%(old)s (nay thuộc %(new)s)") % names)


def _right_of_use(entry):
    if not (entry.right_of_use_number or entry.right_of_use_date):
        return ""
    when = f" · {day(entry.right_of_use_date)}" if entry.right_of_use_date else ""
    return _fact("Quyền sử dụng", f"{_value(entry.right_of_use_number)}{when}")


def _superseded(entry):
    if entry.status_code != "superseded" or not entry.superseded_by_id:
        return ""
    url = page_url("certifications:certificate_detail", pk=entry.superseded_by.certificate_id)
    words = gettext("quyết định ngày %(date)s") % {"date": day(entry.superseded_on)}
    return _fact("Thay thế bởi", f'<a href="{conditional_escape(url)}">{words}</a>')


def _why_unknown(entry, certificate):
    if entry.status_code != "unknown":
        return ""
    if certificate.is_ocop:
        why = gettext("Nguồn không cho biết ngày ký quyết định.")
    else:
        why = gettext("Chưa ghi nhận ngày nộp đơn hay lần gia hạn.")
    return _fact("Vì sao chưa rõ", f"{why} {gettext('Hãy hỏi cơ quan cấp để xác nhận.')}")


def _revocation(entry, certificate):
    if entry.status_code != "revoked":
        return ""
    reason = entry.revocation_reason or certificate.revocation_reason
    return _fact("Lý do thu hồi", _value(reason)) if reason else ""


def entry_html(entry) -> SafeString:
    """The card of one entry (a product under one certificate): kind, status, title and the facts."""
    certificate = entry.certificate
    number = certificate.number
    number_html = f'<span class="number">{_value(number)}</span>' if number else _muted_unknown()
    decision = certificate.decision
    facts = [
        _stars(entry),
        _fact("Số văn bản", number_html),
        _fact("Quyết định", _value(decision)) if decision and decision != number else "",
        _fact("Cơ quan cấp", _value(certificate.issuer or "—")),
        _fact("Ngày cấp", _issued(certificate)),
        _fact("Hiệu lực đến", _valid_until(certificate)),
        _former(certificate),
        _right_of_use(entry),
        _superseded(entry),
        _fact("Điểm đánh giá", f"{_value(entry.score)}/100") if entry.score is not None else "",
        _fact("Cấp đánh giá", _value(certificate.get_level_display())) if certificate.level else "",
        _why_unknown(entry, certificate),
        _revocation(entry, certificate),
    ]
    lines = "".join(f"    {fact}\n" for fact in facts)
    link = f'<a href="{_value(certificate.get_absolute_url())}">{_value(certificate.title)}</a>'
    return SafeString(
        "\n"
        f'<article class="cert-card cert-{_value(entry.status_code)}">\n'
        '  <div class="cert-head">\n'
        f"    {kind_badge_html(certificate.kind)}\n"
        f"    {_status(entry, certificate)}\n"
        "  </div>\n"
        f'  <h3 class="cert-title">{link}</h3>\n'
        '  <dl class="facts">\n'
        f"{lines}"
        "  </dl>\n"
        "</article>\n"
        "\n"
    )
