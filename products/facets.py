"""The facet counts of the product list: every option's count with the other filters held.

One GROUP BY query folds the published products (matching q) into a "cube": one row per combination
of province, category, producer kind, current star level and in-force certificate kinds, with its
product count (about 12,000 rows at 100,000 synthetic products, a few hundred for a search). The cube
is cached under the catalogue version and the day, so it is built once per write and shared by every
combination of filters; each page's counts are a single pass over it (`count_facets`, plain data in,
plain data out: no filter object, no query).

A cube row: (province id, category id, producer kind, star level 0/3/4/5, certificate bits, count).
The tests of the active filters: {parameter: what a row must hold to pass}: a set of province or
category ids ("group": the categories of the chosen groups), a set of producer kinds, the minimum
star level, or for "cert" the pair (certificate bit mask, whether an OCOP rating counts).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Case, Count, Value, When

from core import cache as catalogue_cache
from core import validity
from core.validity import STAR_LEVELS, CertificateKind

from . import cube as columns
from .models import IP_KINDS

FACET_PARAMETERS = ("province", "group", "category", "stars", "cert", "producer_kind")
# Certificate kinds other than OCOP as bits of the cube (OCOP is the star level).
CERT_BITS = tuple((kind, 1 << i) for i, kind in enumerate(IP_KINDS))
CERT_BIT = dict(CERT_BITS)


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)
    multiple: bool = True

    @property
    def selected_count(self):
        return sum(1 for option in self.options if option.selected)


class OptionValues(NamedTuple):
    """How the cube's raw values become option values: ids to slugs and codes, the certificate kinds."""

    province_slugs: dict  # province id -> slug
    category_slugs: dict  # category id -> slug
    group_of: dict  # category id -> its group's code, as a string
    cert_kinds: Sequence[str]


# -- the cube (the one query) ----------------------------------------------------------------------


# A product's values in the cube's dimensions, in the order of a cube row (the count aside).
CUBE_VALUES = ("producer__province_id", "category_id", "producer__kind", "facet_level", "facet_bits")


def with_cube_values(products, day):
    """`products` annotated with `facet_level` (0/3/4/5) and `facet_bits` (in-force GI and mark kinds) on `day`."""
    level = Case(
        *[When(**{f"ocop_until_{n}__gte": day}, then=Value(n)) for n in sorted(STAR_LEVELS, reverse=True)],
        default=Value(0),
    )
    bits = sum(
        (Case(When(**{f"{kind}_until__gte": day}, then=Value(bit)), default=Value(0)) for kind, bit in CERT_BITS),
        start=Value(0),
    )
    return products.annotate(facet_level=level, facet_bits=bits)


def build_cube(products, day) -> list[tuple]:
    """The cube rows of `products` (a product queryset) on `day`."""
    rows = with_cube_values(products, day).values_list(*CUBE_VALUES).annotate(facet_count=Count("pk")).order_by()
    return [tuple(row) for row in rows]


def cached_cube(products, words: str) -> columns.Cube:
    """build_cube() of today as columns, cached under the folded search words and the day: it is over
    the whole catalogue, so it lives CATALOGUE_NATIONAL_SECONDS (core/cache.py), and every list shares it."""
    today = validity.today()
    return catalogue_cache.get_or_build(
        "facet-cube", (words, today.isoformat()), lambda: columns.Cube(build_cube(products, today))
    )


# -- the counts, from plain data ------------------------------------------------------------------


def rated_by_province(cube, province_slugs: dict) -> dict:
    """{province slug: count of the cube's products with a star level (an OCOP rating in force)}."""
    cube = columns.as_cube(cube)
    rated = dict.fromkeys(province_slugs.values(), 0)
    for province, count in cube.sums("province", cube.level > 0).items():
        if province in province_slugs:
            rated[province_slugs[province]] += count
    return rated


def cert_test(wanted: Iterable[str]) -> tuple[int, bool]:
    """The "cert" test of certificate kinds: (bit mask of the GI and mark kinds, whether OCOP is one)."""
    wanted = set(wanted)
    return sum(bit for kind, bit in CERT_BITS if kind in wanted), CertificateKind.OCOP in wanted


def failed_tests(tests: dict, province, category, kind, level, bits) -> list[str]:
    """The parameters whose test one cube row fails: the definition, row by row, that products/cube.py
    computes over columns (tests/products/test_facets.py compares the counts of both)."""
    failed = []
    if "province" in tests and province not in tests["province"]:
        failed.append("province")
    if "category" in tests and category not in tests["category"]:
        failed.append("category")
    if "group" in tests and category not in tests["group"]:
        failed.append("group")
    if "producer_kind" in tests and kind not in tests["producer_kind"]:
        failed.append("producer_kind")
    if "stars" in tests and level < tests["stars"]:
        failed.append("stars")
    if "cert" in tests:
        mask, ocop = tests["cert"]
        if not (bits & mask or (ocop and level >= 3)):
            failed.append("cert")
    return failed


def tally(cube, tests: dict) -> tuple[int, dict, dict]:
    """(total, relax, raw) of one pass over the cube.

    A row failing no test counts in the total, in every "remove this filter" count (relax) and in every
    parameter's raw tally; a row failing exactly one test counts only for that parameter (its facet and
    its relax count). raw: {parameter: {raw key: n}}, keyed by province id, category id (category and
    group: the group follows from it), producer kind, star level, or (star level, certificate bits).

    It runs on every uncached list: computed over the cube's columns (products/cube.py).
    """
    return columns.tally(cube, tests, FACET_PARAMETERS)


def option_tallies(raw: dict, values: OptionValues):
    """((parameter, option value), n) for each raw tally, once per option it counts for: a star level
    counts for every star filter up to it, certificate bits for every kind they hold."""
    for province, n in raw["province"].items():
        yield ("province", values.province_slugs.get(province)), n
    for category, n in raw["group"].items():
        yield ("group", values.group_of.get(category)), n
    for category, n in raw["category"].items():
        yield ("category", values.category_slugs.get(category)), n
    for level, n in raw["stars"].items():
        for stars in STAR_LEVELS:
            if level >= stars:
                yield ("stars", str(stars)), n
    for (level, bits), n in raw["cert"].items():
        for kind in values.cert_kinds:
            if (kind == CertificateKind.OCOP and level >= min(STAR_LEVELS)) or bits & CERT_BIT.get(kind, 0):
                yield ("cert", kind), n
    for kind, n in raw["producer_kind"].items():
        yield ("producer_kind", kind), n


def count_facets(cube, tests: dict, values: OptionValues) -> dict:
    """{"total": n, "relax:<parameter>": n, (parameter, option value): n}: every option's count holds
    every active filter but its own parameter's. `cube`: a products/cube.py Cube, or its rows."""
    total, relax, raw = tally(cube, tests)
    counts = {"total": total}
    for name, n in relax.items():
        counts[f"relax:{name}"] = n
    for key, n in option_tallies(raw, values):
        counts[key] = counts.get(key, 0) + n
    return counts
