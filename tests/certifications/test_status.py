"""The status rule on boundary days, in Python and in SQL alike."""

import datetime

import pytest

from certifications.models import Certificate, CertifiedProduct
from core.validity import Status
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 29)


def _entry(valid_until, entry_revoked=None, cert_revoked=None):
    cert = f.certificate("ocop", issued_on=datetime.date(2024, 1, 1), valid_until=valid_until, revoked_on=cert_revoked)
    return f.entry(cert, f.product(), stars=4, revoked_on=entry_revoked)


def _sql_status(entry):
    return CertifiedProduct.objects.with_status(DAY).get(pk=entry.pk).status_code


@pytest.mark.parametrize(
    ("valid_until", "entry_revoked", "cert_revoked", "expected"),
    [
        (DAY, None, None, Status.EXPIRING),  # expires today: still in force today
        (DAY - datetime.timedelta(days=1), None, None, Status.EXPIRED),  # expired yesterday
        (DAY + datetime.timedelta(days=90), None, None, Status.EXPIRING),
        (DAY + datetime.timedelta(days=91), None, None, Status.VALID),
        (DAY + datetime.timedelta(days=400), DAY, None, Status.REVOKED),  # entry revoked today
        (DAY + datetime.timedelta(days=400), DAY + datetime.timedelta(days=1), None, Status.VALID),  # tomorrow
        (DAY + datetime.timedelta(days=400), None, DAY, Status.REVOKED),  # certificate revoked today
        (DAY - datetime.timedelta(days=10), None, DAY - datetime.timedelta(days=20), Status.REVOKED),
    ],
)
def test_status_on_boundary_days(valid_until, entry_revoked, cert_revoked, expected):
    entry = _entry(valid_until, entry_revoked, cert_revoked)
    assert entry.status_on(DAY) == expected
    assert _sql_status(entry) == expected
    assert CertifiedProduct.objects.by_status(expected, DAY).filter(pk=entry.pk).exists()
    in_force = expected in (Status.VALID, Status.EXPIRING)
    assert CertifiedProduct.objects.in_force(DAY).filter(pk=entry.pk).exists() is in_force


def test_revoked_certificate_revokes_every_entry_but_a_revoked_entry_leaves_the_others():
    cert = f.certificate("ocop", issued_on=datetime.date(2025, 1, 1))
    a = f.entry(cert, f.product(), stars=3)
    b = f.entry(cert, f.product(), stars=4, revoked_on=DAY)
    assert (a.status_on(DAY), b.status_on(DAY)) == (Status.VALID, Status.REVOKED)
    Certificate.objects.filter(pk=cert.pk).update(revoked_on=DAY)
    a.refresh_from_db()
    assert a.status_on(DAY) == Status.REVOKED
    assert Certificate.objects.by_status(Status.REVOKED, DAY).filter(pk=cert.pk).exists()


def test_a_gi_without_expiry_is_valid():
    gi = f.certificate("gi", issued_on=datetime.date(2010, 8, 9))
    entry = f.entry(gi, f.product())
    assert entry.status_on(DAY) == Status.VALID == _sql_status(entry)
    assert gi.status_on(DAY) == Status.VALID


def test_current_rating_ignores_expired_and_revoked_entries():
    product = f.product()
    expired = f.certificate("ocop", issued_on=datetime.date(2023, 1, 1), valid_until=DAY - datetime.timedelta(days=1))
    revoked = f.certificate("ocop", issued_on=datetime.date(2025, 1, 1), revoked_on=DAY - datetime.timedelta(days=3))
    current = f.certificate("ocop", issued_on=datetime.date(2025, 3, 1))
    f.entry(expired, product, stars=5)
    f.entry(revoked, product, stars=5)
    f.entry(current, product, stars=3)
    annotated = Product.objects.with_current_stars(DAY).get(pk=product.pk)
    assert annotated.current_stars == 3
    assert annotated.current_stars_until == current.valid_until
    assert Product.objects.with_min_stars(3, DAY).filter(pk=product.pk).exists()
    assert not Product.objects.with_min_stars(4, DAY).filter(pk=product.pk).exists()


def test_product_without_an_in_force_rating_has_none():
    product = f.product()
    f.entry(f.certificate("gi"), product)
    old = f.certificate("ocop", issued_on=datetime.date(2020, 1, 1))
    f.entry(old, product, stars=4)
    assert Product.objects.with_current_stars(DAY).get(pk=product.pk).current_stars is None
    assert product.current_rating is None  # today (2026 or later) the 2020 decision has expired


def test_current_rating_property_picks_the_most_stars():
    product = f.product()
    f.entry(f.certificate("ocop", issued_on=datetime.date.today() - datetime.timedelta(days=30)), product, stars=3)
    best = f.entry(
        f.certificate("ocop", issued_on=datetime.date.today() - datetime.timedelta(days=10)), product, stars=4
    )
    assert product.current_rating == best


def test_stored_rating_copy_ends_on_its_day_and_an_earlier_decision_does_not_come_back():
    product = f.product()
    three = f.certificate("ocop", issued_on=datetime.date(2023, 6, 1), valid_until=DAY + datetime.timedelta(days=60))
    five = f.certificate("ocop", issued_on=datetime.date(2023, 11, 30), valid_until=DAY - datetime.timedelta(days=1))
    f.entry(three, product, stars=3)
    f.entry(five, product, stars=5)
    yesterday = DAY - datetime.timedelta(days=1)
    assert Product.objects.with_current_stars(yesterday).get(pk=product.pk).current_stars == 5
    # No job runs between the two days: the comparison with the day does it. The 3★ decision was replaced
    # by the 5★ one and stays replaced: the product has no rating in force until it is evaluated again.
    assert Product.objects.with_current_stars(DAY).get(pk=product.pk).current_stars is None
    assert not Product.objects.with_min_stars(3, DAY).filter(pk=product.pk).exists()


def test_stored_rating_copy_follows_revocation_and_deletion():
    product = f.product()
    cert = f.certificate("ocop", issued_on=datetime.date(2025, 6, 1))
    entry = f.entry(cert, product, stars=4)
    assert Product.objects.with_min_stars(4, DAY).filter(pk=product.pk).exists()
    entry.revoked_on = DAY + datetime.timedelta(days=10)  # revoked from a future day: in force until then
    entry.save()
    assert Product.objects.with_min_stars(4, DAY).filter(pk=product.pk).exists()
    assert not Product.objects.with_min_stars(4, DAY + datetime.timedelta(days=10)).filter(pk=product.pk).exists()
    cert.revoked_on = DAY
    cert.save()
    assert not Product.objects.with_min_stars(3, DAY).filter(pk=product.pk).exists()
    cert.revoked_on = None
    cert.save()
    entry.delete()
    product.refresh_from_db()
    assert (product.ocop_until_3, product.ocop_until_4, product.ocop_until_5) == (None, None, None)


def test_stored_rating_copy_agrees_with_the_status_rule():
    """For every entry state, with_min_stars equals 'some in-force entry with enough stars' per the rule."""
    for valid_until, entry_revoked, cert_revoked in [
        (DAY, None, None),
        (DAY - datetime.timedelta(days=1), None, None),
        (DAY + datetime.timedelta(days=200), DAY, None),
        (DAY + datetime.timedelta(days=200), None, DAY + datetime.timedelta(days=1)),
    ]:
        entry = _entry(valid_until, entry_revoked, cert_revoked)
        in_force = entry.status_on(DAY) in (Status.VALID, Status.EXPIRING)
        assert Product.objects.with_min_stars(4, DAY).filter(pk=entry.product_id).exists() is in_force


def test_saving_a_stale_product_instance_keeps_the_rating_copy():
    product = f.product()
    f.entry(f.certificate("ocop", issued_on=datetime.date(2025, 6, 1)), product, stars=4)
    product.description = "Mô tả mới"  # this instance was loaded before the entry existed
    product.save()
    assert Product.objects.with_min_stars(4, DAY).filter(pk=product.pk).exists()


def test_stored_copy_of_gi_and_mark_validity_follows_the_rule():
    product = f.product()
    gi = f.certificate("gi", issued_on=datetime.date(2010, 8, 9))
    # Filed 1 January 2016: protected to 1 January 2026 (ten years from filing).
    mark = f.certificate("collective_mark", issued_on=datetime.date(2016, 9, 1), filed_on=datetime.date(2016, 1, 1))
    f.entry(gi, product)
    f.entry(mark, product)
    product.refresh_from_db()
    assert product.gi_until == datetime.date.max
    assert product.collective_mark_until == datetime.date(2026, 1, 1)
    assert Product.objects.with_certificate_kinds(["gi"], DAY).filter(pk=product.pk).exists()
    assert not Product.objects.with_certificate_kinds(["collective_mark"], DAY).filter(pk=product.pk).exists()
    assert Product.objects.with_certificate_kinds(["collective_mark"], datetime.date(2025, 12, 31)).exists()
    assert not Product.objects.with_certificate_kinds(["ocop", "certification_mark"], DAY).exists()
    # Revoking the GI entry from today ends it yesterday.
    entry = gi.entries.get()
    entry.revoked_on = DAY
    entry.save()
    assert not Product.objects.with_certificate_kinds(["gi"], DAY).filter(pk=product.pk).exists()
    assert Product.objects.with_certificate_kinds(["gi"], DAY - datetime.timedelta(days=1)).exists()
    assert not Product.objects.with_certificate_kinds(["unknown"], DAY).exists()


def test_moving_an_entry_to_another_product_refreshes_both():
    a, b = f.product(name="Sản phẩm A"), f.product(name="Sản phẩm B")
    entry = f.entry(f.certificate("ocop", issued_on=datetime.date(2025, 6, 1)), a, stars=5)
    entry.product = b
    entry.save()
    assert not Product.objects.with_min_stars(3, DAY).filter(pk=a.pk).exists()
    assert Product.objects.with_min_stars(5, DAY).filter(pk=b.pk).exists()


def test_an_impossible_date_is_a_form_error_not_a_crash():
    from django.core.exceptions import ValidationError

    from certifications.models import Certificate

    cert = Certificate(kind="ocop", title="x", issuer="y", province=f.province(), issued_on=datetime.date(9999, 12, 31))
    with pytest.raises(ValidationError) as err:
        cert.full_clean()
    assert "issued_on" in err.value.message_dict


def test_a_stop_on_the_first_day_there_is_leaves_no_day_in_force():
    """A revocation typed as 0001-01-01 (the admin accepts any date) has no day before it: no overflow."""
    first = datetime.date.min
    from core import validity

    assert validity.last_day_in_force(datetime.date(2027, 1, 1), revoked_on=first) == first
    assert validity.last_day_in_force(None, certificate_revoked_on=first, kind="gi") == first
    assert validity.copy_status(first, datetime.date(2026, 12, 6)) != validity.Status.VALID
