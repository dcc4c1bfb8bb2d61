"""Back-office operations on certificates: revocation and expiry tracking.

Each function takes the acting user (whose provinces scope what it touches) and the day explicitly,
so the admin, the commands and the tests call the same code.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from core import validity
from core.admin.scoping import scope_queryset
from core.validity import Status

from .models import Certificate, CertifiedProduct

UPCOMING_LIMIT = 10


@transaction.atomic
def revoke(queryset, *, user, on: datetime.date, reason: str) -> int:
    """Revoke the certificates or entries of `queryset` that `user` may change, on `on`, for `reason`.

    Rows already revoked keep their first revocation. Each row is saved on its own so that the history
    records who revoked it and why. Returns how many rows were revoked.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Hãy ghi lý do thu hồi."))
    if on > validity.today():
        raise ValidationError(_("Ngày thu hồi không được sau hôm nay."))
    revoked = 0
    # A fresh queryset: the admin's carries annotations (counts, status) that row locks do not allow.
    model = queryset.model
    rows = model._default_manager.filter(pk__in=list(queryset.values_list("pk", flat=True)))
    for obj in scope_queryset(rows, user).filter(revoked_on__isnull=True).select_for_update(of=("self",)):
        obj.revoked_on = on
        obj.revocation_reason = reason[:500]
        obj._change_reason = (_("Thu hồi: %(reason)s") % {"reason": reason})[:100]
        obj.save(update_fields=["revoked_on", "revocation_reason"])
        revoked += 1
    return revoked


def expiry_overview(user, day=None):
    """The admin index panel: certificates of the user's provinces counted by status, and the next to expire."""
    day = day or validity.today()
    certificates = scope_queryset(Certificate.objects.all(), user)
    counts = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    names = {}
    rows = (
        certificates.with_status(day)
        .values("province_id", "province__name", "status_code")
        .annotate(n=Count("*"))
        .order_by()
    )
    for row in rows:
        counts[row["province_id"]][row["status_code"]] = row["n"]
        names[row["province_id"]] = row["province__name"]
    provinces = sorted(
        (
            {"name": names[pk], "counts": [c[s] for s in Status.values], "total": sum(c.values())}
            for pk, c in counts.items()
        ),
        key=lambda p: p["name"],
    )
    totals = [sum(p["counts"][i] for p in provinces) for i in range(len(Status.values))]
    upcoming = list(
        certificates.in_force(day)
        .filter(valid_until__isnull=False)
        .with_status(day)
        .select_related("province")
        .order_by("valid_until", "pk")[:UPCOMING_LIMIT]
    )
    return {
        "day": day,
        "statuses": list(Status),
        "provinces": provinces,
        "totals": totals,
        "upcoming": upcoming,
        "horizon": validity.expiring_horizon(day),
    }


def expiring_by_province(day=None, provinces=None):
    """{province: [certificate, …]} of the certificates whose status on `day` is "expiring".

    Each certificate carries `in_force_entries`: its products still in force, for the report.
    """
    day = day or validity.today()
    certificates = (
        Certificate.objects.by_status(Status.EXPIRING, day)
        .select_related("province")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=CertifiedProduct.objects.in_force(day).select_related("product__producer"),
                to_attr="in_force_entries",
            )
        )
        .order_by("province__sort_key", "valid_until", "pk")
    )
    if provinces is not None:
        certificates = certificates.filter(province__in=provinces)
    report = defaultdict(list)
    for certificate in certificates:
        report[certificate.province].append(certificate)
    return dict(report)
