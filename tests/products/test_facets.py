"""Facet counts from a plain cube (no database, no filter object)."""

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from products import cube as columns
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


def _passes(tests, row, but=None):
    return not [name for name in facets.failed_tests(tests, *row[:5]) if name != but]


def _by_definition(cube, tests, values):
    """Every option's count straight from its definition: the rows that pass every test but its own."""
    kinds = values.cert_kinds
    option_of = {
        "province": lambda r: [values.province_slugs.get(r[0])],
        "group": lambda r: [values.group_of.get(r[1])],
        "category": lambda r: [values.category_slugs.get(r[1])],
        "stars": lambda r: [str(s) for s in (3, 4, 5) if r[3] >= s],
        "cert": lambda r: [k for k in kinds if (k == "ocop" and r[3] >= 3) or r[4] & facets.CERT_BIT.get(k, 0)],
        "producer_kind": lambda r: [r[2]],
    }
    counts = {"total": sum(r[5] for r in cube if _passes(tests, r))}
    for name in tests:
        counts[f"relax:{name}"] = sum(r[5] for r in cube if _passes(tests, r, but=name))
    for name, options in option_of.items():
        for row in cube:
            if _passes(tests, row, but=name):
                for value in options(row):
                    counts[name, value] = counts.get((name, value), 0) + row[5]
    return counts


ROWS = st.tuples(
    st.sampled_from([1, 2, 3]),
    st.sampled_from([10, 11, 12]),
    st.sampled_from(["cooperative", "household", "enterprise"]),
    st.sampled_from([0, 3, 4, 5]),
    st.integers(0, 7),
    st.integers(1, 9),
)
TESTS = st.fixed_dictionaries(
    {},
    optional={
        "province": st.sets(st.sampled_from([1, 2, 3]), min_size=1),
        "category": st.sets(st.sampled_from([10, 11, 12]), min_size=1),
        "group": st.sets(st.sampled_from([10, 11, 12]), min_size=1),
        "producer_kind": st.sets(st.sampled_from(["cooperative", "household"]), min_size=1),
        "stars": st.sampled_from([3, 4, 5]),
        "cert": st.sets(st.sampled_from(VALUES.cert_kinds), min_size=1).map(facets.cert_test),
    },
)


@settings(max_examples=300, deadline=None)
@given(cube=st.lists(ROWS, max_size=30), tests=TESTS)
def test_the_counts_are_what_their_definition_gives(cube, tests):
    assert facets.count_facets(cube, tests, VALUES) == _by_definition(cube, tests, VALUES)


@settings(max_examples=200, deadline=None)
@given(cube=st.lists(ROWS, max_size=40), tests=TESTS)
def test_a_merged_cube_counts_what_its_rows_count(cube, tests):
    """Cube.grouped (the lists without words read it from the search index): equal rows merged, the
    counts the same, and no more rows than distinct (province, category, kind, level, bits)."""
    rows = columns.Cube(cube)
    merged = rows.grouped()
    assert facets.count_facets(merged, tests, VALUES) == facets.count_facets(rows, tests, VALUES)
    assert len(merged) == len({row[:5] for row in cube})
    assert sum(merged.count.tolist()) == sum(row[5] for row in cube)


def test_the_column_form_keeps_every_row_and_pickles_whole():
    cube = columns.Cube(CUBE)
    assert cube.rows() == CUBE
    assert len(cube) == 4 and bool(columns.Cube([])) is False
    again = pickle.loads(pickle.dumps(cube))  # noqa: S301 (our own bytes: the form the shared cache stores)
    assert again.rows() == CUBE
    assert facets.count_facets(again, {"stars": 4}, VALUES) == facets.count_facets(CUBE, {"stars": 4}, VALUES)
    assert facets.count_facets([], {"province": {1}}, VALUES) == {"total": 0, "relax:province": 0}


def test_rated_by_province_counts_rows_with_a_star_level():
    assert facets.rated_by_province(CUBE, {1: "son-la", 2: "lao-cai", 5: "ha-noi"}) == {
        "son-la": 6,
        "lao-cai": 1,
        "ha-noi": 0,
    }


@given(
    st.lists(st.integers(0, 40), min_size=0, max_size=300),
    st.sets(st.integers(0, 45), max_size=columns.FEW_VALUES + 4),
)
def test_membership_by_comparisons_is_numpys_isin(provinces, wanted):
    """Cube.member compares the column with each wanted value when there are few, else uses np.isin: the
    same rows either way, for no value, one, a few and many, present or not."""
    cube = columns.Cube([(province, 1, "htx", 0, 0, 1) for province in provinces])
    codes = [code for code, value in enumerate(cube.values["province"]) if value in wanted]
    expected = np.isin(cube.codes["province"], codes)
    held = cube.member("province", wanted)
    assert held.dtype == bool and held.tolist() == expected.tolist()
    assert held.tolist() == [province in wanted for province in provinces]
