"""The search index: where each word of the published products' search text occurs, as numpy columns.

A search word matches a product when it is a substring of its `search_text` (folded, its words joined by
single spaces: core/text.py). A search word holds no space, so it matches exactly when it lies inside one
word of the text. The index keeps the distinct words of all the texts (the vocabulary: a few thousand)
and, per word, the products holding it and the character at which each occurrence starts. A search word
is looked up in the vocabulary (a substring test per distinct word), and its matches are the postings of
the words that contain it: a few vector operations, where the database reads the text of every product
for a word of one or two letters, which no trigram narrows ("ca ha": all 1,000,000 texts, a second).

Rows are the products in name order (name_key, pk, as the database sorts them). The index also holds
each product's values in the facet cube (one cube row per product, count 1: a search's facet counts are
the tally of the cube of its matches) and what the orders of the list need, so that a search's results,
its total, its facet counts and its page of ids come from the index, and only the page's cards from the
database. The relevance order is exactly ProductQuerySet.order_by_relevance's (tests compare the two on
both databases, as they compare the facet counts with their definition).

The index is built in a few seconds at 1,000,000 products; core/process_copies.py keeps a copy in each
process and rebuilds it at most once per CATALOGUE_NATIONAL_SECONDS after a write, unless its fingerprint
(below) shows that the write changed nothing the index holds.
"""

import hashlib
import re
from array import array
from collections import defaultdict
from itertools import chain, count
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import F, Window
from django.db.models.functions import Length, RowNumber
from django.db.models.sql.constants import MULTI

from core import validity
from core.process_copies import ProcessCopy
from core.validity import STAR_LEVELS

from . import cube as columns
from .facets import CUBE_VALUES, with_cube_values
from .models import Product

# Search words looked up in the vocabulary, kept per index (a word's postings are found again cheaply).
HIT_CACHE_SIZE = 512
_NOWHERE = np.iinfo(np.int32).max
CHUNK = 10_000
# The shape of a SearchIndex: a copy shared by code of another shape (or another numpy) is never loaded.
# Change it with the class's attributes.
INDEX_FORMAT = 1
# And the code that builds it: a copy kept in the host's file across a deploy (core/process_copies.py) is
# taken only by the code that built it, whatever INDEX_FORMAT says.
_CODE = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in ("search_index.py", "cube.py", "facets.py"))
).hexdigest()[:12]


class SearchIndex:
    """The published products' search text as postings, with their cube values and sort keys."""

    def __init__(self, chunks, day):
        """`chunks`: lists of rows (pk, search_text, name length, name_key length, place in the "newest"
        order, province id, category id, producer kind, star level, certificate bits), in name order."""
        self.day = day
        vocabulary = defaultdict(count().__next__)
        word_id = vocabulary.__getitem__
        token_ids, token_lengths, per_row = array("i"), array("i"), array("i")
        values = [[] for _ in range(9)]
        for chunk in chunks:
            pks, texts, *others = zip(*chunk, strict=True)
            split = [text.split(" ") for text in texts]
            tokens = list(chain.from_iterable(split))
            token_ids.extend(map(word_id, tokens))
            token_lengths.extend(map(len, tokens))
            per_row.extend(map(len, split))
            for column, more in zip(values, (pks, *others), strict=True):
                column.extend(more)
        pks, name_lengths, key_lengths, newest, province, category, kind, level, bits = values
        self.pks = np.array(pks, dtype=np.int64)
        self.name_length = np.array(name_lengths, dtype=np.int32)
        self.key_length = np.array(key_lengths, dtype=np.int32)
        self.newest_rank = np.array(newest, dtype=np.int32)
        self.cube = columns.Cube.from_columns(province, category, kind, level, bits)
        # The vocabulary as one string (its words on lines) and where each word starts in it: a search
        # word's vocabulary words are found by one scan of the string, in C, whatever its size.
        words = list(vocabulary)
        self.words = "\n".join(words)
        self.word_length = np.fromiter(map(len, words), dtype=np.int32, count=len(words))
        self.word_at = np.cumsum(self.word_length + 1, dtype=np.int64) - self.word_length - 1
        self._postings(token_ids, token_lengths, per_row)
        self._hits = {}

    def _postings(self, token_ids, token_lengths, per_row):
        ids = np.frombuffer(token_ids, dtype=np.int32) if token_ids else np.zeros(0, dtype=np.int32)
        lengths = np.frombuffer(token_lengths, dtype=np.int32).astype(np.int64) if token_lengths else ids
        counts = np.frombuffer(per_row, dtype=np.int32) if per_row else np.zeros(0, dtype=np.int32)
        starts = np.cumsum(lengths + 1) - lengths - 1  # where each word starts in all the texts laid end to end
        firsts = np.cumsum(counts) - counts  # each row's first word
        offsets = starts - np.repeat(starts[firsts], counts)  # where each word starts in its own text
        rows = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        order = np.argsort(ids, kind="stable")  # by word, then row, then offset
        self.post_rows = rows[order]
        small = not len(offsets) or offsets.max() < np.iinfo(np.uint16).max
        self.post_offsets = offsets[order].astype(np.uint16 if small else np.int32)
        self.word_start = np.concatenate(([0], np.cumsum(np.bincount(ids, minlength=len(self.word_length)))))

    @classmethod
    def build(cls, products, day=None):
        """The index of `products` (published products, a queryset) on `day` (today by default)."""
        day = day or validity.today()
        newest = Window(RowNumber(), order_by=[F("created_at").desc(), F("pk").desc()])
        rows = (
            with_cube_values(products, day)
            .annotate(index_name_length=Length("name"), index_key_length=Length("name_key"), index_newest=newest - 1)
            .order_by("name_key", "pk")
            .values_list("pk", "search_text", "index_name_length", "index_key_length", "index_newest", *CUBE_VALUES)
        )
        return cls(_chunks(rows), day)

    def __len__(self):
        return len(self.pks)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_hits"] = {}
        state.pop("_grouped", None)
        return state

    def grouped_cube(self):
        """The cube with equal rows merged, made once per copy: the tallies of lists without words."""
        grouped = self.__dict__.get("_grouped")
        if grouped is None:
            grouped = self._grouped = self.cube.grouped()
        return grouped

    # --- Words -------------------------------------------------------------------------------------

    def hits(self, word) -> tuple[np.ndarray, np.ndarray]:
        """(ids, where `word` first starts in each) of the vocabulary's words that hold `word`."""
        found = self._hits.get(word)
        if found is None:
            at = np.fromiter((m.start() for m in re.finditer(re.escape(word), self.words)), dtype=np.int64)
            ids = np.searchsorted(self.word_at, at, side="right") - 1
            ids, first = np.unique(ids, return_index=True)  # a word's first occurrence in each
            found = (ids, (at[first] - self.word_at[ids]).astype(np.int32))
            if len(self._hits) >= HIT_CACHE_SIZE:
                self._hits.clear()
            self._hits[word] = found
        return found

    def _runs_of(self, ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, offsets, how many each word has) of the postings of the vocabulary words `ids`. Each word's
        postings are a run of the columns, copied as it is: no array of indexes to gather by ("an" at
        1,000,000 products: 5.5 million occurrences, 71 → 31 ms)."""
        starts, ends = self.word_start[ids], self.word_start[ids + 1]
        runs = list(zip(starts.tolist(), ends.tolist(), strict=True))
        if not runs:
            return self.post_rows[:0], self.post_offsets[:0], ends - starts
        rows = np.concatenate([self.post_rows[start:end] for start, end in runs])
        offsets = np.concatenate([self.post_offsets[start:end] for start, end in runs])
        return rows, offsets, ends - starts

    def occurrences(self, word):
        """(rows, positions): each occurrence of `word` in a word of a text, its row and the 1-based
        character where it starts in the text (a row appears once per word of its text holding it)."""
        ids, found = self.hits(word)
        rows, offsets, lengths = self._runs_of(ids)
        return rows, offsets.astype(np.int32) + np.repeat(found + 1, lengths).astype(np.int32)

    def matching(self, words, occurrences=None) -> np.ndarray:
        """The rows (ascending: name order) whose text holds every word of `words`."""
        occurrences = occurrences or self.occurrences
        held = np.ones(len(self), dtype=bool)
        for word in words:
            rows, _positions = occurrences(word)
            found = np.zeros(len(self), dtype=bool)
            found[rows] = True
            held &= found
        return np.flatnonzero(held)

    # --- Orders ------------------------------------------------------------------------------------

    def _starts_with(self, words) -> np.ndarray:
        """Boolean column: the text starts with the words joined by spaces (the last one may go on)."""
        held = np.ones(len(self), dtype=bool)
        at = 0
        for number, word in enumerate(words):
            ids, found = self.hits(word)
            leading = found == 0
            if number < len(words) - 1:
                leading &= self.word_length[ids] == len(word)  # the whole word: a space follows it
            rows, offsets, _lengths = self._runs_of(ids[leading])
            found_here = np.zeros(len(self), dtype=bool)
            found_here[rows[offsets == at]] = True
            held &= found_here
            at += len(word) + 1
        return held

    def relevance(self, rows, words, occurrences=None) -> np.ndarray:
        """`rows` in the order of ProductQuerySet.order_by_relevance: the text starts with the words;
        else every word within the name's length; else the rest; then the first word's position, the
        name_key's length, the name order. Only the occurrences in `rows` are looked at."""
        occurrences = occurrences or self.occurrences
        wanted = np.zeros(len(self), dtype=bool)
        wanted[rows] = True
        in_name = np.ones(len(self), dtype=bool)
        first_position = np.full(len(self), _NOWHERE, dtype=np.int32)
        for number, word in enumerate(words):
            occurring, positions = occurrences(word)
            keep = wanted[occurring]
            occurring, positions = occurring[keep], positions[keep]
            found = np.zeros(len(self), dtype=bool)
            found[occurring[positions <= self.name_length[occurring]]] = True
            in_name &= found
            if number == 0:
                np.minimum.at(first_position, occurring, positions)
        tier = np.where(self._starts_with(words)[rows], 0, np.where(in_name[rows], 1, 2))
        return _ranked(tier, first_position[rows], self.key_length[rows], rows)

    def ordered(self, rows, words, sort, occurrences=None):
        """`rows` in the order of ProductFilter.order for a search of `words` with `sort`: an array, or the
        rows ranked and sorted only as far as they are read (RankedRows)."""
        if sort == "-stars":
            return _ranked(max(STAR_LEVELS) - self.cube.level[rows], rows)  # no rating (0) last
        if sort == "newest":
            return _ranked(self.newest_rank[rows], rows)
        if sort == "name" or not words:
            return rows
        return self.relevance(rows, words, occurrences)


def _packed(columns):
    """(one int64 key per row, the last column's width in bits) when the columns' values (non-negative) fit
    side by side in 63 bits (at 1,000,000 products about 45); else None."""
    widths = [int(column.max()).bit_length() if len(column) else 0 for column in columns]
    if sum(widths) > 63 or any(len(column) and column.min() < 0 for column in columns):
        return None
    keys = np.zeros(len(columns[-1]), dtype=np.int64)
    for column, width in zip(columns, widths, strict=True):
        keys <<= width
        keys |= column.astype(np.int64)
    return keys, widths[-1]


def _in_order(*columns) -> np.ndarray:
    """The last column (distinct non-negative row numbers) sorted by all the columns, the first first, as
    `np.lexsort` would. Packed into one int64 key per row when they fit, sorted once: one sort instead of
    lexsort's one per column (a search matching 328,626 of 1,000,000 products: 29 ms → ~8 ms)."""
    order = _ranked(*columns)
    return order[:] if isinstance(order, RankedRows) else order


def _ranked(*columns):
    """The last column sorted as `_in_order` sorts it: RankedRows (sorted as far as read) when the columns
    pack into one key, else sorted at once by `np.lexsort`."""
    packed = _packed(columns)
    return columns[-1][np.lexsort(columns[::-1])] if packed is None else RankedRows(*packed)


class RankedRows:
    """Rows in the order of their packed keys (rank above, row below: all distinct), sorted only as far as
    they are read. A page needs the first 24 (page n: 24 n): they are partitioned out of the keys in linear
    time and sorted, where a sort of every key of a search matching 1,000,000 products took ~60 ms. Sized,
    sliced and iterated as the array of the rows in order would be, each row mapped through `values` (the
    index's primary keys) when given."""

    def __init__(self, keys, width, values=None):
        self._keys, self._width, self.values = keys, width, values
        self._mask = (1 << width) - 1
        self._head = keys[:0]  # the first len(_head) keys, in order

    def __len__(self):
        return len(self._keys)

    def _first(self, count):
        if count > len(self._head):
            if count * 8 >= len(self._keys):  # most of them: one sort
                self._head = np.sort(self._keys)
            else:
                self._head = np.partition(self._keys, count - 1)[:count]
                self._head.sort()
        return self._head[:count]

    def through(self, values):
        return RankedRows(self._keys, self._width, values)

    def __getitem__(self, index):
        if isinstance(index, slice) and index.step in (None, 1):
            start, stop, _step = index.indices(len(self))
            rows = self._first(stop)[start:stop] & self._mask
        else:
            rows = (self._first(len(self)) & self._mask)[index]
        return rows if self.values is None else self.values[rows]

    def __iter__(self):
        return iter(self[:])

    def tolist(self):
        return self[:].tolist()


class IndexSearch:
    """One search over the index: its matches, their cube, and the ordered results under filters."""

    def __init__(self, index: SearchIndex, words):
        self.index = index
        self.words = list(words)
        self._occurrences = {}
        # row_cube: one row per match (the results' tests); cube: what the facet counts tally.
        if self.words:
            self.rows = index.matching(self.words, self.occurrences)
            self.row_cube = self.cube = index.cube.subset(self.rows)
        else:  # a list without words: every published product, counted over the merged cube
            self.rows = np.arange(len(index))
            self.row_cube, self.cube = index.cube, index.grouped_cube()

    def occurrences(self, word):
        """The index's occurrences of `word`, worked out once per search (matching and ranking both read them)."""
        if word not in self._occurrences:
            self._occurrences[word] = self.index.occurrences(word)
        return self._occurrences[word]

    def results(self, tests: dict, sort: str):
        """The primary keys of the matches that pass `tests` (the cube's filter tests), in order: an array or
        RankedRows."""
        rows = self.rows[columns.passing(self.row_cube, tests)]
        order = self.index.ordered(rows, self.words, sort, self.occurrences)
        return order.through(self.index.pks) if isinstance(order, RankedRows) else self.index.pks[order]


def _chunks(rows):
    """The rows of a values_list queryset as the database sends them, in chunks: no conversion per value
    (the values are plain integers and text), a server-side cursor on PostgreSQL."""
    compiler = rows.query.get_compiler(using=rows.db)
    yield from compiler.execute_sql(
        MULTI, chunked_fetch=connections[rows.db].features.can_use_chunked_reads, chunk_size=CHUNK
    )


def _build_published():
    return SearchIndex.build(Product.objects.published())


def fingerprint(products, day=None):
    """A summary of what the index of `products` is built from: their number and the sum of a 64-bit hash of
    each row's values (its key, text, name and name_key, creation time: what the lengths and the "newest"
    order come from, and its cube values on `day`). One aggregate in the database, ~25 times cheaper than a
    build (140 ms at 100,000 products: nothing is sent or split); equal rows give equal fingerprints. None
    on databases without PostgreSQL's hash functions: the index is then rebuilt after every write, as before.
    """
    connection = connections[products.db]
    if connection.vendor != "postgresql":
        return None
    rows = (
        with_cube_values(products, day or validity.today())
        .order_by()
        .values_list("pk", "search_text", "name", "name_key", "created_at", *CUBE_VALUES)
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), sum(hashtextextended(t::text, 0)) FROM ({sql}) t", params)  # noqa: S608
        count, total = cursor.fetchone()
    return (count, str(total))


def _published_fingerprint():
    return fingerprint(Product.objects.published())


PUBLISHED = ProcessCopy("search-index", _build_published, fingerprinter=_published_fingerprint)


def published_index() -> SearchIndex | None:
    """The index of the published products, as recent as the catalogue's national pages (see above);
    None while this process's first copy is being built, or with DJANGO_SEARCH_INDEX=0 (the search then
    runs in the database)."""
    if not settings.SEARCH_INDEX:
        return None
    day = validity.today()
    index = PUBLISHED.get(tag=f"{INDEX_FORMAT}:{_CODE}:{np.__version__}:{day.isoformat()}", wait=False)
    # A build asked for just before midnight may read its rows just after: the next day's figures under this
    # day's tag. Not served for this day (its searches run in the database for that moment); the next
    # day's requests ask for the next day's tag anyway.
    return index if index is None or index.day == day else None
