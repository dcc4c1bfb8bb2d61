"""The status rule, in one place: the register never says "valid" for what it cannot vouch for.

An entry on a certificate is, on a given day:
  revoked     if it, or its certificate, was revoked on or before that day;
  superseded  else if a later OCOP decision about the same product was signed on or before that day
              (a re-evaluation can lower a rating as well as raise it: the latest decision counts);
  unknown     else if the term cannot be computed from what is recorded: a certification or collective
              mark whose filing date and renewals are not known (so valid_until is empty);
  expired     else if the certificate's valid_until is before that day;
  expiring    else if valid_until is within OCOP_EXPIRING_DAYS days;
  valid       otherwise (valid_until empty means no expiry, which only a geographical indication has).

Terms: an OCOP decision runs OCOP_VALIDITY_MONTHS from its signing (never longer); a GI never expires; a
certification or collective mark is protected to the end of MARK_VALIDITY_YEARS counted from its FILING
date, renewable for MARK_VALIDITY_YEARS at a time (Law on Intellectual Property, Art. 93(6)).

`status_on` is the Python form (model properties), `status_case` and `in_force_q` are the SQL
forms (QuerySet methods). Paths are given as a prefix so that both the certificate app and the
product app (which cannot import the certificate app) use the same rule.
"""

import contextlib
import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Status(models.TextChoices):
    VALID = "valid", gettext_lazy("còn hiệu lực")
    EXPIRING = "expiring", gettext_lazy("sắp hết hạn")
    UNKNOWN = "unknown", gettext_lazy("chưa rõ hiệu lực")
    EXPIRED = "expired", gettext_lazy("hết hạn")
    SUPERSEDED = "superseded", gettext_lazy("đã được thay thế")
    REVOKED = "revoked", gettext_lazy("đã thu hồi")


IN_FORCE = (Status.VALID, Status.EXPIRING)


class CertificateKind(models.TextChoices):
    """What a certificate is: here so that apps below certifications can offer the kinds as choices."""

    GI = "gi", gettext_lazy("Chỉ dẫn địa lý")
    CERTIFICATION_MARK = "certification_mark", gettext_lazy("Nhãn hiệu chứng nhận")
    COLLECTIVE_MARK = "collective_mark", gettext_lazy("Nhãn hiệu tập thể")
    OCOP = "ocop", gettext_lazy("Quyết định công nhận OCOP")


# The OCOP ratings that are certified: 1 and 2 stars never are.
STAR_LEVELS = (3, 4, 5)
# Kinds whose term runs from the filing date and can be renewed; without those dates it is unknown.
MARK_KINDS = (CertificateKind.CERTIFICATION_MARK.value, CertificateKind.COLLECTIVE_MARK.value)
# Kinds whose empty valid_until means "not known" (a GI's means "no end").
UNKNOWN_WITHOUT_END = (*MARK_KINDS, CertificateKind.OCOP.value)


def today() -> datetime.date:
    return timezone.localdate()


def expiring_horizon(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=settings.OCOP_EXPIRING_DAYS)


def term_unknown(kind, valid_until) -> bool:
    """True when the register cannot tell how long a title lasts: a mark without its filing date or renewals,
    an OCOP decision whose signing date no source gives. Only a GI has no end."""
    return kind in UNKNOWN_WITHOUT_END and valid_until is None


def status_on(
    day, *, valid_until, revoked_on=None, certificate_revoked_on=None, kind=None, superseded_on=None
) -> Status:
    day = day or today()
    for revoked in (revoked_on, certificate_revoked_on):
        if revoked is not None and revoked <= day:
            return Status.REVOKED
    if superseded_on is not None and superseded_on <= day:
        return Status.SUPERSEDED
    if term_unknown(kind, valid_until):
        return Status.UNKNOWN
    if valid_until is not None:
        if valid_until < day:
            return Status.EXPIRED
        if valid_until <= expiring_horizon(day):
            return Status.EXPIRING
    return Status.VALID


# The stored copy of a carried title whose term is unknown (see last_day_in_force): later than any real date,
# so "carried on day D" stays one comparison, and distinct from date.max ("never ends", a GI).
UNKNOWN_TERM_END = datetime.date(9999, 12, 30)


def last_day_in_force(valid_until, revoked_on=None, certificate_revoked_on=None, superseded_on=None, *, kind=None):
    """The last day on which an entry is carried: valid, expiring or of unknown term.

    Equivalent to the rule above: on day D the entry is neither revoked, superseded nor expired exactly
    when D <= this date. datetime.date.max when it never ends; UNKNOWN_TERM_END when its term is unknown,
    which `copy_status` reads back as "unknown", never as "valid".
    """
    open_end = UNKNOWN_TERM_END if term_unknown(kind, valid_until) else datetime.date.max
    ends = [valid_until or open_end]
    stops = (revoked_on, certificate_revoked_on, superseded_on)
    # The day before each stop; a stop on the first day there is (a date typed as 0001-01-01) has none.
    ends += [stop - datetime.timedelta(days=1) if stop > datetime.date.min else stop for stop in stops if stop]
    return min(ends)


def copy_status(until, day=None) -> Status:
    """The status of a product's title read from its stored copy (the value of last_day_in_force)."""
    day = day or today()
    if until is None or until < day:
        return Status.EXPIRED
    if until == UNKNOWN_TERM_END:
        return Status.UNKNOWN
    return status_on(day, valid_until=None if until == datetime.date.max else until)


def mark_valid_until(filed_on, renewal_ends=()):
    """The end of a mark's protection: the latest of ten years from filing and the end of each renewal.

    None when neither is known: the term is then unknown, never assumed.
    """
    ends = [end for end in renewal_ends if end is not None]
    if filed_on is not None:
        with contextlib.suppress(OverflowError, ValueError):
            ends.append(filed_on + relativedelta(years=settings.MARK_VALIDITY_YEARS))
    return max(ends) if ends else None


def ocop_ceiling(issued_on):
    """The latest valid_until an OCOP decision signed on `issued_on` may carry (None if not computable)."""
    if issued_on is None:
        return None
    try:
        return issued_on + relativedelta(months=settings.OCOP_VALIDITY_MONTHS)
    except (OverflowError, ValueError):
        return None


def _paths(prefix, entry_level):
    """Field paths for (entry revoked_on, certificate revoked_on, certificate valid_until)."""
    cert = f"{prefix}certificate__" if entry_level else prefix
    return (f"{prefix}revoked_on" if entry_level else None, f"{cert}revoked_on", f"{cert}valid_until")


def _kind_path(prefix, entry_level):
    return f"{prefix}certificate__kind" if entry_level else f"{prefix}kind"


def superseded_q(day, prefix="", entry_level=True) -> Q:
    if not entry_level:  # a certificate as a whole is never superseded: its entries are
        return Q(pk__in=[])
    return Q(**{f"{prefix}superseded_on__lte": day})


def unknown_q(prefix="", entry_level=True) -> Q:
    _entry, _cert, valid_until = _paths(prefix, entry_level)
    return Q(**{f"{_kind_path(prefix, entry_level)}__in": UNKNOWN_WITHOUT_END, f"{valid_until}__isnull": True})


def revoked_q(day, prefix="", entry_level=True) -> Q:
    entry_revoked, cert_revoked, _valid = _paths(prefix, entry_level)
    q = Q(**{f"{cert_revoked}__lte": day})
    if entry_revoked:
        q |= Q(**{f"{entry_revoked}__lte": day})
    return q


def carried_q(day=None, prefix="", entry_level=True) -> Q:
    """Rows whose status on `day` is valid, expiring or unknown: neither revoked, superseded nor expired."""
    day = day or today()
    entry_revoked, cert_revoked, valid_until = _paths(prefix, entry_level)
    q = Q(**{f"{cert_revoked}__isnull": True}) | Q(**{f"{cert_revoked}__gt": day})
    if entry_revoked:
        q &= Q(**{f"{entry_revoked}__isnull": True}) | Q(**{f"{entry_revoked}__gt": day})
        q &= Q(**{f"{prefix}superseded_on__isnull": True}) | Q(**{f"{prefix}superseded_on__gt": day})
    q &= Q(**{f"{valid_until}__isnull": True}) | Q(**{f"{valid_until}__gte": day})
    return q


def in_force_q(day=None, prefix="", entry_level=True) -> Q:
    """Rows whose status on `day` is valid or expiring: what the register vouches for."""
    return carried_q(day, prefix, entry_level) & ~unknown_q(prefix, entry_level)


def status_q(status, day=None, prefix="", entry_level=True) -> Q:
    """Rows whose status on `day` is `status`."""
    day = day or today()
    _entry, _cert, valid_until = _paths(prefix, entry_level)
    revoked = revoked_q(day, prefix, entry_level)
    if status == Status.REVOKED:
        return revoked
    revoked |= superseded_q(day, prefix, entry_level)
    if status == Status.SUPERSEDED:
        return revoked & ~revoked_q(day, prefix, entry_level)
    unknown = unknown_q(prefix, entry_level)
    if status == Status.UNKNOWN:
        return ~revoked & unknown
    revoked |= unknown
    if status == Status.EXPIRED:
        return ~revoked & Q(**{f"{valid_until}__lt": day})
    if status == Status.EXPIRING:
        return ~revoked & Q(**{f"{valid_until}__gte": day, f"{valid_until}__lte": expiring_horizon(day)})
    return ~revoked & (Q(**{f"{valid_until}__isnull": True}) | Q(**{f"{valid_until}__gt": expiring_horizon(day)}))


def status_case(day=None, prefix="", entry_level=True) -> Case:
    day = day or today()
    _entry, _cert, valid_until = _paths(prefix, entry_level)
    return Case(
        When(revoked_q(day, prefix, entry_level), then=Value(Status.REVOKED.value)),
        When(superseded_q(day, prefix, entry_level), then=Value(Status.SUPERSEDED.value)),
        When(unknown_q(prefix, entry_level), then=Value(Status.UNKNOWN.value)),
        When(Q(**{f"{valid_until}__lt": day}), then=Value(Status.EXPIRED.value)),
        When(Q(**{f"{valid_until}__lte": expiring_horizon(day)}), then=Value(Status.EXPIRING.value)),
        default=Value(Status.VALID.value),
        output_field=models.CharField(),
    )


def default_valid_until(kind, issued_on, *, filed_on=None, renewal_ends=()):
    """valid_until a certificate gets when none is typed: an OCOP decision's 36 months from signing,
    a mark's term from its filing date and renewals (None, so "unknown", without them), none for a GI."""
    if kind == CertificateKind.OCOP:
        return ocop_ceiling(issued_on)
    if kind in MARK_KINDS:
        return mark_valid_until(filed_on, renewal_ends)
    return None


def certificate_errors(
    *,
    kind,
    issued_on,
    valid_until,
    filed_on=None,
    national=False,
    has_province=True,
    signing_date_required=True,
    day=None,
):
    """What is wrong with a certificate's dates and place, by field: the rule the model, the admin form and
    the spreadsheet import all apply (so a decision refused in one is refused in all)."""
    day = day or today()
    errors = {}
    for field, value in (("issued_on", issued_on), ("filed_on", filed_on)):
        if value is not None and value > day:
            errors[field] = _("Ngày này ở tương lai: văn bản chỉ được ghi khi đã ký, đã nộp.")
    if kind == CertificateKind.OCOP and (issued_on or signing_date_required):
        errors.update(_ocop_errors(issued_on, valid_until))
    if kind == CertificateKind.GI and valid_until:
        errors["valid_until"] = _("Chỉ dẫn địa lý được bảo hộ không thời hạn: để trống ô này.")
    if filed_on and issued_on and filed_on > issued_on:
        errors["filed_on"] = _("Ngày nộp đơn không được sau ngày cấp.")
    if issued_on and valid_until and valid_until < issued_on:
        errors.setdefault("valid_until", _("Ngày hết hiệu lực không được trước ngày cấp."))
    if not has_province and not (kind == CertificateKind.OCOP and national):
        errors["province"] = _("Chọn tỉnh, thành phố (chỉ quyết định OCOP cấp trung ương mới để trống).")
    return errors


# The national OCOP programme began in 2018 (Decision 490/QĐ-TTg of 07/05/2018): no rating decision of it is
# signed earlier. (Quảng Ninh's own programme of 2013–2017 rated products under its own rules, not these.)
OCOP_FIRST_YEAR = 2018
OCOP_FIRST_DAY = datetime.date(OCOP_FIRST_YEAR, 1, 1)


def _ocop_errors(issued_on, valid_until):
    if not issued_on:
        return {"issued_on": _("Quyết định công nhận OCOP phải có ngày ký.")}
    if issued_on < OCOP_FIRST_DAY:
        return {
            "issued_on": _(
                "Ngày ký %(date)s không hợp lệ: Chương trình OCOP quốc gia bắt đầu năm %(year)s (Quyết định "
                "490/QĐ-TTg), quyết định công nhận theo chương trình không thể ký trước đó. Hãy kiểm tra lại ngày ký."
            )
            % {"date": issued_on.strftime("%d/%m/%Y"), "year": OCOP_FIRST_YEAR}
        }
    ceiling = ocop_ceiling(issued_on)
    if ceiling is None:
        return {"issued_on": _("Ngày ký không hợp lệ: không tính được thời hạn %(months)s tháng.") % terms()}
    if valid_until and valid_until > ceiling:
        return {
            "valid_until": _(
                "Giấy chứng nhận OCOP có hiệu lực tối đa %(months)s tháng kể từ ngày ký: muộn nhất là %(day)s."
            )
            % {**terms(), "day": ceiling.strftime("%d/%m/%Y")}
        }
    return {}


def terms() -> dict:
    """The numbers of the rule, for the interface strings that quote them: `_("… %(months)s tháng …") %
    validity.terms()`. They come from the settings the rule itself reads, so the text always says what
    the dates do: months (an OCOP decision's term), years (a mark's term), days (the "expiring" window)."""
    return {
        "months": settings.OCOP_VALIDITY_MONTHS,
        "years": settings.MARK_VALIDITY_YEARS,
        "days": settings.OCOP_EXPIRING_DAYS,
    }


def _with_terms(text) -> str:
    return str(text) % terms()


# A (lazily translated) string with the numbers filled in when it is shown: for help texts and other
# strings defined at import time, before the language of the request is known.
with_terms_lazy = lazy(_with_terms, str)
