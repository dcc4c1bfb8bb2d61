"""The derived copies of a product as pure functions of plain values (no database)."""

import datetime

from certifications import copies
from certifications.copies import Entry

DAY = datetime.date(2025, 9, 1)
NEXT = DAY + datetime.timedelta(days=1)


def test_a_rating_ends_on_the_last_day_of_its_decision():
    copy = copies.rating_copy([Entry("ocop", 4, valid_until=DAY)])
    assert copy["ocop_until_3"] == copy["ocop_until_4"] == DAY
    assert copy["ocop_until_5"] is None
    assert copy["gi_until"] is None


def test_a_revocation_ends_the_rating_the_day_before():
    entry_revoked = copies.rating_copy([Entry("ocop", 5, valid_until=NEXT, revoked_on=DAY)])
    assert entry_revoked["ocop_until_5"] == DAY - datetime.timedelta(days=1)
    certificate_revoked = copies.rating_copy([Entry("ocop", 3, valid_until=NEXT, certificate_revoked_on=NEXT)])
    assert certificate_revoked["ocop_until_3"] == DAY  # the earlier of the term and the revocation


def test_each_level_keeps_the_latest_entry_that_reaches_it():
    copy = copies.rating_copy(
        [Entry("ocop", 5, valid_until=DAY), Entry("ocop", 3, valid_until=NEXT + datetime.timedelta(days=30))]
    )
    assert copy["ocop_until_5"] == copy["ocop_until_4"] == DAY
    assert copy["ocop_until_3"] == NEXT + datetime.timedelta(days=30)


def test_gis_never_end_and_marks_end_with_their_term():
    copy = copies.rating_copy([Entry("gi"), Entry("collective_mark", valid_until=DAY)])
    assert copy["gi_until"] == datetime.date.max
    assert copy["collective_mark_until"] == DAY
    assert copy["certification_mark_until"] is None
    assert copy["ocop_until_3"] is None


def test_search_text_folds_the_product_then_its_certificate_titles():
    text = copies.search_text(
        ["Chè Shan tuyết", "", "Chè", None], [Entry("gi", title="Mộc Châu", former_province="Hà Giang")]
    )
    assert text == "che shan tuyet che moc chau ha giang"


def test_derived_values_hold_every_field():
    values = copies.derived_values("Đường phèn", ["Đường phèn"], [Entry("ocop", 3, valid_until=DAY)])
    assert values["name_key"] == "duong phen"
    assert values["search_text"] == "duong phen"
    assert values["ocop_until_3"] == DAY
    assert set(values) == {"search_text", "name_key", *copies.COPY_FIELDS}
