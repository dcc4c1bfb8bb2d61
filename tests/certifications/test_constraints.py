"""Each database constraint refuses a violating row at the database, bypassing model validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from certifications.models import Certificate, CertifiedProduct
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=False)


def _refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@pytest.mark.parametrize("stars", [None, 1, 2, 6, 0])
def test_ocop_entry_needs_three_to_five_stars(stars):
    cert = f.certificate("ocop")
    _refused(lambda: CertifiedProduct.objects.create(certificate=cert, product=f.product(), stars=stars))


@pytest.mark.parametrize("stars", [3, 4, 5])
def test_ocop_entry_with_three_to_five_stars_is_accepted(stars):
    cert = f.certificate("ocop")
    assert CertifiedProduct.objects.create(certificate=cert, product=f.product(), stars=stars).kind == "ocop"


@pytest.mark.parametrize("kind", ["gi", "certification_mark", "collective_mark"])
def test_other_kinds_carry_no_stars(kind):
    cert = f.certificate(kind)
    _refused(lambda: CertifiedProduct.objects.create(certificate=cert, product=f.product(), stars=4))
    assert CertifiedProduct.objects.create(certificate=cert, product=f.product(), stars=None).kind == kind


def test_changing_a_certificate_kind_is_checked_against_its_entries():
    cert = f.certificate("ocop")
    f.entry(cert, f.product(), stars=4)
    cert.kind = "gi"
    cert.valid_until = None
    _refused(cert.save)


def test_one_entry_per_certificate_and_product():
    cert = f.certificate("ocop")
    product = f.product()
    f.entry(cert, product, stars=3)
    _refused(lambda: CertifiedProduct.objects.create(certificate=cert, product=product, stars=4))


def test_valid_until_never_before_issued_on():
    cert = f.certificate("certification_mark", issued_on=datetime.date(2020, 5, 1))
    _refused(lambda: Certificate.objects.filter(pk=cert.pk).update(valid_until=datetime.date(2020, 4, 30)))
    Certificate.objects.filter(pk=cert.pk).update(valid_until=datetime.date(2020, 5, 1))  # same day is fine


def test_ocop_decision_must_be_dated_and_a_gi_never_expires():
    cert = f.certificate("ocop")
    _refused(lambda: Certificate.objects.filter(pk=cert.pk).update(valid_until=None))
    gi = f.certificate("gi", issued_on=datetime.date(2010, 8, 9))
    assert gi.valid_until is None
    _refused(lambda: Certificate.objects.filter(pk=gi.pk).update(valid_until=datetime.date(2030, 1, 1)))


def test_an_ocop_decision_before_the_national_programme_is_refused_everywhere():
    """The rule is core.validity's, so the model and the admin form refuse what the import refuses."""
    cert = f.certificate("ocop", issued_on=datetime.date(2018, 1, 1))
    cert.full_clean()  # the programme's first year is fine
    cert.issued_on, cert.valid_until = datetime.date(2017, 12, 31), None
    with pytest.raises(ValidationError) as refused:
        cert.full_clean()
    assert "Chương trình OCOP quốc gia bắt đầu năm 2018" in refused.value.message_dict["issued_on"][0]
    # Other kinds keep their older dates (a GI of 2010, a mark of 2016).
    f.certificate("gi", issued_on=datetime.date(2010, 8, 9)).full_clean()


def test_duplicate_number_of_the_same_kind_in_the_same_province_is_refused():
    f.certificate("ocop", number="1032/QĐ-UBND")
    _refused(lambda: f.certificate("ocop", number="1032/qd-ubnd"))
    # Another province may print the same decision number.
    f.certificate("ocop", number="1032/QĐ-UBND", province_slug="quang-ninh")


def test_defaults_36_months_for_ocop_and_10_years_from_filing_for_marks():
    ocop = f.certificate("ocop", issued_on=datetime.date(2025, 6, 26))
    assert ocop.valid_until == datetime.date(2028, 6, 26)
    mark = f.certificate("collective_mark", issued_on=datetime.date(2017, 3, 1), filed_on=datetime.date(2016, 2, 29))
    assert mark.valid_until == datetime.date(2026, 2, 28)
    # Without its filing date the term of a mark is not known: nothing is assumed.
    assert f.certificate("collective_mark", issued_on=datetime.date(2016, 2, 29)).valid_until is None


def test_model_validation_gives_clear_messages():
    cert = Certificate(kind="ocop", title="x", issuer="y", province=f.province())
    with pytest.raises(ValidationError) as err:
        cert.full_clean()
    assert "issued_on" in err.value.message_dict
    entry = CertifiedProduct(certificate=f.certificate("ocop"), product=f.product(), stars=2)
    with pytest.raises(ValidationError) as err:
        entry.full_clean()
    assert "stars" in err.value.message_dict
