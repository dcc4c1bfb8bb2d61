"""The status rule of certificates and their entries, in one place.

An entry on a certificate is, on a given day:
  revoked   if it, or its certificate, was revoked on or before that day;
  expired   else if the certificate's valid_until is before that day;
  expiring  else if valid_until is within OCOP_EXPIRING_DAYS days;
  valid     otherwise (valid_until null means no expiry).

`status_on` is the Python form (model properties), `status_case` and `in_force_q` are the SQL
forms (QuerySet methods). Paths are given as a prefix so that both the certificate app and the
product app (which cannot import the certificate app) use the same rule.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    VALID = "valid", _("còn hiệu lực")
    EXPIRING = "expiring", _("sắp hết hạn")
    EXPIRED = "expired", _("hết hạn")
    REVOKED = "revoked", _("đã thu hồi")


IN_FORCE = (Status.VALID, Status.EXPIRING)


class CertificateKind(models.TextChoices):
    """What a certificate is: here so that apps below certifications can offer the kinds as choices."""

    GI = "gi", _("Chỉ dẫn địa lý")
    CERTIFICATION_MARK = "certification_mark", _("Nhãn hiệu chứng nhận")
    COLLECTIVE_MARK = "collective_mark", _("Nhãn hiệu tập thể")
    OCOP = "ocop", _("Quyết định công nhận OCOP")


# The OCOP ratings that are certified: 1 and 2 stars never are.
STAR_LEVELS = (3, 4, 5)


def today() -> datetime.date:
    return timezone.localdate()


def expiring_horizon(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=settings.OCOP_EXPIRING_DAYS)


def status_on(day, *, valid_until, revoked_on=None, certificate_revoked_on=None) -> Status:
    day = day or today()
    for revoked in (revoked_on, certificate_revoked_on):
        if revoked is not None and revoked <= day:
            return Status.REVOKED
    if valid_until is not None:
        if valid_until < day:
            return Status.EXPIRED
        if valid_until <= expiring_horizon(day):
            return Status.EXPIRING
    return Status.VALID


def last_day_in_force(valid_until, revoked_on=None, certificate_revoked_on=None):
    """The last day on which an entry is valid or expiring (datetime.date.max when it never ends).

    Equivalent to the rule above: on day D the entry is in force exactly when D <= this date.
    """
    ends = [valid_until or datetime.date.max]
    ends += [r - datetime.timedelta(days=1) for r in (revoked_on, certificate_revoked_on) if r is not None]
    return min(ends)


def _paths(prefix, entry_level):
    """Field paths for (entry revoked_on, certificate revoked_on, certificate valid_until)."""
    cert = f"{prefix}certificate__" if entry_level else prefix
    return (f"{prefix}revoked_on" if entry_level else None, f"{cert}revoked_on", f"{cert}valid_until")


def revoked_q(day, prefix="", entry_level=True) -> Q:
    entry_revoked, cert_revoked, _valid = _paths(prefix, entry_level)
    q = Q(**{f"{cert_revoked}__lte": day})
    if entry_revoked:
        q |= Q(**{f"{entry_revoked}__lte": day})
    return q


def in_force_q(day=None, prefix="", entry_level=True) -> Q:
    """Rows whose status on `day` is valid or expiring."""
    day = day or today()
    entry_revoked, cert_revoked, valid_until = _paths(prefix, entry_level)
    q = Q(**{f"{cert_revoked}__isnull": True}) | Q(**{f"{cert_revoked}__gt": day})
    if entry_revoked:
        q &= Q(**{f"{entry_revoked}__isnull": True}) | Q(**{f"{entry_revoked}__gt": day})
    q &= Q(**{f"{valid_until}__isnull": True}) | Q(**{f"{valid_until}__gte": day})
    return q


def status_q(status, day=None, prefix="", entry_level=True) -> Q:
    """Rows whose status on `day` is `status`."""
    day = day or today()
    _entry, _cert, valid_until = _paths(prefix, entry_level)
    revoked = revoked_q(day, prefix, entry_level)
    if status == Status.REVOKED:
        return revoked
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
        When(Q(**{f"{valid_until}__lt": day}), then=Value(Status.EXPIRED.value)),
        When(Q(**{f"{valid_until}__lte": expiring_horizon(day)}), then=Value(Status.EXPIRING.value)),
        default=Value(Status.VALID.value),
        output_field=models.CharField(),
    )


def default_valid_until(kind, issued_on):
    """valid_until a new certificate gets when none is typed (the term of its kind, from its date of issue)."""
    if issued_on is None:
        return None
    try:
        return _default_valid_until(kind, issued_on)
    except (OverflowError, ValueError):  # a date near 9999-12-31: no valid end date can follow it
        return None


def _default_valid_until(kind, issued_on):
    if kind == "ocop":
        return issued_on + relativedelta(months=settings.OCOP_VALIDITY_MONTHS)
    if kind in ("certification_mark", "collective_mark"):
        return issued_on + relativedelta(years=settings.MARK_VALIDITY_YEARS)
    return None


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
