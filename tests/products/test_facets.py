"""Facet counts from a plain cube (no database, no filter object)."""

from products import facets

# (province id, category id, producer kind, star level, certificate bits, count)
GI = facets.CERT_BIT["gi"]
CUBE = [
    (1, 10, "cooperative", 3, 0, 4),
    (1, 11, "household", 5, GI, 2),
    (2, 10, "cooperative", 0, GI, 7),
    (2, 12, "enterprise", 4, 0, 1),
]
VALUES = facets.OptionValues(
    province_slugs={1: "son-la", 2: "lao-cai"},
    category_slugs={10: "che", 11: "mat-ong", 12: "gao"},
    group_of={10: "1", 11: "1", 12: "2"},
    cert_kinds=["gi", "certification_mark", "collective_mark", "ocop"],
)


def test_without_filters_every_option_counts_every_row():
    counts = facets.count_facets(CUBE, {}, VALUES)
    assert counts["total"] == 14
    assert counts["province", "son-la"] == 6
    assert counts["group", "1"] == 13
    assert counts["stars", "3"] == 7  # levels 3, 4 and 5 count for "3 stars and more"
    assert counts["stars", "5"] == 2
    assert counts["cert", "gi"] == 9
    assert counts["cert", "ocop"] == 7
    assert ("cert", "collective_mark") not in counts


def test_an_options_count_holds_every_filter_but_its_own():
    tests = {"province": {1}, "stars": 4}
    counts = facets.count_facets(CUBE, tests, VALUES)
    assert counts["total"] == 2  # province 1 with 4 stars or more
    assert counts["province", "lao-cai"] == 1  # the stars filter still holds: only the 4-star row
    assert counts["province", "son-la"] == 2
    assert counts["stars", "3"] == 6  # the province filter still holds
    assert counts["relax:province"] == 3
    assert counts["relax:stars"] == 6
    assert counts["category", "mat-ong"] == 2


def test_a_row_failing_two_filters_counts_nowhere():
    counts = facets.count_facets(CUBE, {"province": {1}, "producer_kind": {"enterprise"}}, VALUES)
    assert counts["total"] == 0
    # The cooperative of province 2 fails both filters: it counts for neither facet.
    assert counts["producer_kind", "cooperative"] == 4
    assert counts["province", "lao-cai"] == 1
    assert counts["relax:province"] == 1  # the enterprise in province 2
    assert counts["relax:producer_kind"] == 6


def test_the_cert_filter_counts_an_ocop_rating_as_a_certificate():
    tests = {"cert": facets.cert_test(["ocop"])}
    assert tests["cert"] == (0, True)
    counts = facets.count_facets(CUBE, tests, VALUES)
    assert counts["total"] == 7  # the unrated GI row fails
    gi_only = facets.count_facets(CUBE, {"cert": facets.cert_test(["gi"])}, VALUES)
    assert gi_only["total"] == 9
    assert facets.failed_tests({"cert": (GI, False)}, 1, 10, "cooperative", 5, 0) == ["cert"]
