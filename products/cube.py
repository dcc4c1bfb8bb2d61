"""The facet cube as columns (numpy arrays), and its tally over them in a few vector operations.

A list page's counts are one pass over the cube (about 12,000 rows at 100,000 products). Row by row in
Python that pass cost ~10 ms of each uncached list, search and home page; over columns it costs a
fraction of a millisecond. The cube is built once (products/facets.py build_cube) and cached in this
form, which also pickles into a few compact buffers instead of thousands of tuples.

Each dimension is kept as dense codes (0..k-1) beside its distinct values, so that a parameter's tally
is one weighted bincount: province and category by id, the producer kind, the star level, and for the
certificate facet the pair (star level, certificate bits).
"""

from collections.abc import Sequence

import numpy as np

from core.validity import STAR_LEVELS

DIMENSIONS = ("province", "category", "kind", "level", "cert")
# Up to this many values, a membership test compares the column with each (see Cube.member).
FEW_VALUES = 8
# Which dimension a parameter's test reads and its raw tally is keyed by (category and group both by
# category id).
TALLY_DIMENSION = {
    "province": "province",
    "category": "category",
    "group": "category",
    "stars": "level",
    "cert": "cert",
    "producer_kind": "kind",
}


def _codes(values: list):
    """(distinct values in first-seen order, each row's code into them)."""
    index = {}
    codes = np.fromiter((index.setdefault(value, len(index)) for value in values), dtype=np.int32, count=len(values))
    return list(index), codes


class Cube:
    """Rows (province id, category id, producer kind, star level 0/3/4/5, certificate bits, count) as columns."""

    def __init__(self, rows: Sequence[tuple]):
        rows = list(rows)
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        province, category, kind, level, bits, count = (list(column) for column in columns)
        self.level = np.array(level, dtype=np.int16)
        self.bits = np.array(bits, dtype=np.int16)
        self.count = np.array(count, dtype=np.int64)
        self.values, self.codes = {}, {}
        cert = list(zip(level, bits, strict=True))
        for name, column in zip(DIMENSIONS, (province, category, kind, level, cert), strict=True):
            self.values[name], self.codes[name] = _codes(column)

    @classmethod
    def from_columns(cls, province, category, kind, level, bits) -> "Cube":
        """One row per product (count 1) from its columns: province and category ids, producer kinds,
        star levels and certificate bits."""
        cube = cls.__new__(cls)
        cube.level = np.asarray(level, dtype=np.int16)
        cube.bits = np.asarray(bits, dtype=np.int16)
        cube.count = np.ones(len(cube.level), dtype=np.int64)
        cube.values, cube.codes = {}, {}
        for name, column in (("province", province), ("category", category), ("level", cube.level)):
            distinct, codes = np.unique(np.asarray(column, dtype=np.int64), return_inverse=True)
            cube.values[name], cube.codes[name] = distinct.tolist(), codes.astype(np.int32)
        cube.values["kind"], cube.codes["kind"] = _codes(list(kind))
        pairs, codes = np.unique(cube.level.astype(np.int64) << 16 | cube.bits, return_inverse=True)
        cube.values["cert"] = [(int(pair >> 16), int(pair & 0xFFFF)) for pair in pairs.tolist()]
        cube.codes["cert"] = codes.astype(np.int32)
        return cube

    def __len__(self):
        return len(self.count)

    def rows(self):
        """The rows back as tuples."""
        province = [self.values["province"][code] for code in self.codes["province"]]
        category = [self.values["category"][code] for code in self.codes["category"]]
        kind = [self.values["kind"][code] for code in self.codes["kind"]]
        return list(
            zip(province, category, kind, self.level.tolist(), self.bits.tolist(), self.count.tolist(), strict=True)
        )

    def subset(self, rows: np.ndarray) -> "Cube":
        """The cube of the selected rows (a boolean column or row numbers), sharing the distinct values."""
        cube = Cube.__new__(Cube)
        cube.level, cube.bits, cube.count = self.level[rows], self.bits[rows], self.count[rows]
        cube.values = self.values
        cube.codes = {name: codes[rows] for name, codes in self.codes.items()}
        return cube

    def grouped(self) -> "Cube":
        """The same cube with equal rows merged (their counts added): what a tally reads, in far fewer
        rows (one per product becomes about one per eight at 100,000 products)."""
        key = np.zeros(len(self), dtype=np.int64)
        for name, shift in (("province", 48), ("category", 32), ("kind", 24), ("cert", 0)):
            key |= self.codes[name].astype(np.int64) << shift
        _distinct, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        cube = self.subset(first)
        cube.count = np.bincount(inverse, weights=self.count, minlength=len(first)).astype(np.int64)
        return cube

    def member(self, name: str, wanted) -> np.ndarray:
        """Rows whose `name` value is one of `wanted`. A filter names one value or a few (a province, a
        group's categories): a comparison per value reads the column at memory speed, where `np.isin` (or a
        table look-up per row) costs ~20 times as much (100,000 rows: 6 µs a value against ~120 µs)."""
        codes = [code for code, value in enumerate(self.values[name]) if value in wanted]
        column = self.codes[name]
        if len(codes) > FEW_VALUES:
            return np.isin(column, codes)
        held = np.zeros(len(column), dtype=bool)
        for code in codes:
            held |= column == code
        return held

    def sums(self, name: str, rows: np.ndarray) -> dict:
        """{value of dimension `name`: total count of the selected rows holding it}, nonzero only."""
        sums = np.bincount(self.codes[name][rows], weights=self.count[rows], minlength=len(self.values[name]))
        values = self.values[name]
        return {values[code]: int(total) for code, total in enumerate(sums.tolist()) if total}


def as_cube(cube) -> Cube:
    return cube if isinstance(cube, Cube) else Cube(cube)


def failures(cube: Cube, tests: dict) -> dict:
    """{parameter: boolean column of the rows failing its test} for each active filter."""
    failing = {}
    for name in ("province", "category", "group", "producer_kind"):
        if name in tests:
            failing[name] = ~cube.member(TALLY_DIMENSION[name], tests[name])
    if "stars" in tests:
        failing["stars"] = cube.level < tests["stars"]
    if "cert" in tests:
        mask, ocop = tests["cert"]
        holds = (cube.bits & mask) != 0
        if ocop:
            holds |= cube.level >= min(STAR_LEVELS)
        failing["cert"] = ~holds
    return failing


def tally(cube, tests: dict, parameters: Sequence[str]) -> tuple[int, dict, dict]:
    """(total, relax, raw): see products/facets.py tally, whose definition this computes over columns."""
    cube = as_cube(cube)
    failing = failures(cube, tests)
    failed = np.zeros(len(cube), dtype=np.int16)
    for column in failing.values():
        failed += column
    passes = failed == 0
    only_one = failed == 1
    total = int(cube.count[passes].sum())
    relax = {name: total + int(cube.count[column & only_one].sum()) for name, column in failing.items()}
    raw = {}
    for name in parameters:
        rows = passes | (failing[name] & only_one) if name in failing else passes
        raw[name] = cube.sums(TALLY_DIMENSION[name], rows)
    return total, relax, raw


def passing(cube: Cube, tests: dict) -> np.ndarray:
    """Boolean column of the rows that pass every active filter's test."""
    passes = np.ones(len(cube), dtype=bool)
    for column in failures(cube, tests).values():
        passes &= ~column
    return passes
