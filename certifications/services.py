"""Back-office operations on certificates: revocation and expiry tracking.

Each function takes the acting user (whose provinces scope what it touches) and the day explicitly,
so the admin, the commands and the tests call the same code.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from core import validity
from core.admin.scoping import province_ids, scope_q, scope_queryset, sees_every_province
from core.validity import Status

from .models import Certificate, CertifiedProduct

UPCOMING_LIMIT = 10


def national_heading():
    """Where a report or panel names a province, what national decisions (no province) go under."""
    return _("Quyết định cấp trung ương")


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


def national_visible_q(user):
    """The national decisions that list one of the user's products: shown to provincial staff, read-only."""
    ids = province_ids(user)
    listed = CertifiedProduct.objects.filter(product__producer__province__in=ids).values("certificate_id")
    return Q(province__isnull=True, pk__in=listed)


def visible_certificates(user):
    """The certificates the user's certificate list shows: their provinces' and the national decisions
    that list their products (every certificate for national staff and superusers)."""
    certificates = Certificate.objects.all()
    if sees_every_province(user):
        return certificates
    return certificates.filter(scope_q(user, "province") | national_visible_q(user))


def _panel_row(pk, name, counts):
    """One row of the panel, with the certificate list's filter for it (its province, or national ones)."""
    where = f"province__id__exact={pk}" if pk is not None else "province__isnull=True"
    return {
        "name": name,
        "counts": [counts[s] for s in Status.values],
        "cells": [(s, counts[s]) for s in Status.values],
        "total": sum(counts.values()),
        "filter": where,
    }


def expiry_overview(user, day=None):
    """The admin index panel: the certificates the user's list shows, counted by province and status (each
    count links to the list filtered to those rows), and the next to expire."""
    day = day or validity.today()
    certificates = visible_certificates(user)
    counts = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    names = {}
    rows = (
        certificates.with_status(day)
        .values("province_id", "province__name", "province__sort_key", "status_code")
        .annotate(n=Count("*"))
        .order_by()
    )
    sort_keys = {}
    for row in rows:
        counts[row["province_id"]][row["status_code"]] = row["n"]
        names[row["province_id"]] = row["province__name"] or national_heading()
        sort_keys[row["province_id"]] = row["province__sort_key"] or ""
    # In Vietnamese alphabetical order (Cà Mau before Cao Bằng, Điện Biên after Dak Lak), national decisions last.
    order = sorted(counts, key=lambda pk: (pk is None, sort_keys[pk]))
    provinces = [_panel_row(pk, names[pk], counts[pk]) for pk in order]
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
        "total_cells": list(zip(Status.values, totals, strict=True)),
        "total": sum(totals),
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
