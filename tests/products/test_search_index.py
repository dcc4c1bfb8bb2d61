"""The search index gives a search's results, order and facet counts exactly as the database does.

Each search is run both ways: ProductFilter.qs (the database: `search_text LIKE`, order_by_relevance) and
the index (products/search_index.py), over a catalogue built to make the orders hard: names that start
with the words, hold them, or hold them only in the category, producer or province; ties on position and
length; a name typed in decomposed Unicode (longer than its folded key); expired and unpublished rows.
"""

import datetime
import unicodedata
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.validity import CertificateKind
from products import facets, search_index
from products.filters import ProductFilter
from products.models import Product
from products.search_index import SearchIndex, published_index
from tests import factories as f

pytestmark = pytest.mark.django_db

NAMES = [
    "Cà phê Arabica",
    "Cà phê rang xay",
    "Cà phê",
    "Cao chè vằng",
    "Ca cao Bến Tre",
    "Cá khô Cà Mau",
    "Chè Shan tuyết Mộc Châu",
    "Mật ong bạc hà",
    "Bánh mật ong",
    "Mật ong",
    "Mật ong",
    unicodedata.normalize("NFD", "Mật ong rừng Hà Giang"),
    "Rượu ngô Bắc Hà",
    "Xoài tròn Yên Châu",
    "Xoài cát Hòa Lộc",
    "Hà thủ ô",
    "Nước mắm cá cơm",
    "Mận hậu",
    "Gạo ST25",
    "Trà hoa vàng",
]
WORDS = [
    "ca", "c", "a", "ha", "mat", "ong", "mat ong", "xoai", "che", "cao", "phe", "ca phe", "son", "la",
    "chau", "tra", "hoa", "Mật", "st25", "gao st", "mau", "ong ba", "ruou", "zz", "an", "o",
]  # fmt: skip
PROVINCES = ["son-la", "vinh-long", "lam-dong"]
CATEGORIES = ["che", "ca-phe", "mat-ong", "trai-cay", "gao"]  # the fixture's, and one it does not make


@pytest.fixture
def catalogue(today):
    categories = [f.category("Chè"), f.category("Cà phê", 1), f.category("Mật ong", 2), f.category("Trái cây", 1)]
    producers = [
        f.producer(name="HTX Mật ong Bắc Hà", province_slug="son-la"),
        f.producer(name="Công ty Cà phê Sơn La", province_slug="son-la", kind="company"),
        f.producer(name="Hộ kinh doanh Xoài", province_slug="vinh-long", kind="household"),
        f.producer(name="HTX Trà Lâm Đồng", province_slug="lam-dong"),
    ]
    made = []
    for number, name in enumerate(NAMES):
        made.append(f.product(name=name, producer_obj=producers[number % 4], category_obj=categories[(number * 3) % 4]))
    for number, product in enumerate(made[::3]):
        f.entry(f.certificate("ocop", valid_until=today + datetime.timedelta(days=300)), product, stars=3 + number % 3)
    f.entry(f.certificate("ocop", valid_until=today - datetime.timedelta(days=1)), made[1], stars=5)  # expired
    f.entry(f.certificate(CertificateKind.GI, title="Cà phê Buôn Ma Thuột"), made[4])
    # A spread of creation times with ties, for the "newest" order.
    for number, product in enumerate(made):
        moment = timezone.now() - datetime.timedelta(days=number % 5)
        Product.objects.filter(pk=product.pk).update(created_at=moment)
    Product.objects.filter(pk=made[-1].pk).update(is_published=False)
    return made


def _by_database(data):
    return [product.pk for product in ProductFilter(data).qs]


def _by_index(data):
    return [int(pk) for pk in ProductFilter(data, lists_from_index=True).indexed_results().keys]


def _cube_counts(cube):
    counts = Counter()
    for *dimensions, number in cube.rows():
        counts[tuple(dimensions)] += number
    return counts


# No words at all: the product list page reads every list from the index (lists_from_index).
QUERIES = st.lists(st.sampled_from(WORDS), min_size=0, max_size=3).map(" ".join)
FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "province": st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=2),
        "category": st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2),
        "group": st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=2),
        "stars": st.sampled_from(["3", "4", "5"]),
        "cert": st.lists(st.sampled_from(["ocop", "gi", "collective_mark"]), min_size=1, max_size=2),
        "producer_kind": st.lists(st.sampled_from(["cooperative", "company", "household"]), min_size=1, max_size=2),
        "sort": st.sampled_from(["name", "-stars", "newest"]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, filters=FILTERS)
def test_results_order_and_counts_are_the_databases(catalogue, query, filters):
    data = {"q": query, **filters} if query else filters
    assert _by_index(data) == _by_database(data)
    indexed = ProductFilter(data, lists_from_index=True)
    in_database = ProductFilter(data)
    database_cube = facets.build_cube(in_database.facet_base(), facets.validity.today())
    assert _cube_counts(indexed.cube()) == _cube_counts(facets.columns.Cube(database_cube))
    assert indexed.total == len(_by_database(data))


def test_every_word_of_every_name_finds_it_first_or_after_a_better_match(catalogue):
    for product in catalogue[:-1]:
        for word in product.name_key.split():
            assert _by_index({"q": word}) == _by_database({"q": word})
            assert product.pk in _by_index({"q": word})


def test_the_index_holds_published_products_in_name_order(catalogue):
    index = published_index()
    assert len(index) == len(catalogue) - 1
    in_order = list(Product.objects.published().order_by("name_key", "pk").values_list("pk", flat=True))
    assert index.pks.tolist() == in_order


def test_an_empty_catalogue_and_a_word_nowhere(db):
    index = SearchIndex.build(Product.objects.none())
    assert len(index) == 0
    assert index.matching(["ca"]).tolist() == []
    assert ProductFilter({"q": "zzz"}).indexed_results().keys.tolist() == []


def test_the_list_page_shows_the_indexed_order(client, catalogue):
    expected = [Product.objects.get(pk=pk).get_absolute_url() for pk in _by_database({"q": "mat ong"})]
    assert len(expected) > 5
    content = client.get("/products/", {"q": "mat ong"}).content.decode()
    positions = [content.find(f'href="{url}"') for url in expected]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_a_product_removed_since_the_index_was_built_is_left_out_of_its_page(catalogue):
    results = ProductFilter({"q": "ca"}).indexed_results()
    first = results[0:3]
    Product.objects.filter(pk=first[0].pk).update(is_published=False)
    assert [p.pk for p in results[0:3]] == [p.pk for p in first[1:]]


def test_filters_other_than_the_product_lists_search_in_the_database(catalogue):
    scoped = ProductFilter({"q": "ca"}, queryset=Product.objects.published().filter(producer__province__slug="son-la"))
    assert scoped.indexed_results() is None
    assert {p.producer.province.slug for p in scoped.qs} == {"son-la"}


def test_with_the_index_off_the_list_searches_in_the_database(client, catalogue, settings):
    settings.SEARCH_INDEX = False
    assert ProductFilter({"q": "mat ong"}).indexed_results() is None
    expected = [Product.objects.get(pk=pk).get_absolute_url() for pk in _by_database({"q": "mat ong"})]
    content = client.get("/products/", {"q": "mat ong"}).content.decode()
    positions = [content.find(f'href="{url}"') for url in expected]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_the_home_page_counts_from_the_index_as_from_the_database(client, catalogue, settings):
    """The home page's products per province and group, its total and its map's rated counts come from
    the index's facet cube (no GROUP BY over every product): the same figures as the database's cube."""

    def figures():
        with CaptureQueriesContext(connection) as queries:
            context = client.get("/").context
        return (
            [(p.slug, p.product_count) for p in context["provinces"]],
            [(g.code, g.product_count) for g in context["groups"]],
            context["product_total"],
            context["rated"],
        ), queries

    settings.CATALOGUE_CACHE = False
    from_index, indexed_queries = figures()
    settings.SEARCH_INDEX = False
    from_database, database_queries = figures()
    assert from_index == from_database
    assert from_index[2] == len(catalogue) - 1 and sum(n for _slug, n in from_index[0]) == from_index[2]
    # (With the cache off the suite builds the index on each use: its read replaces the cube's GROUP BY.)
    assert len(indexed_queries) == len(database_queries)

    def cube_reads(queries):
        return [q for q in queries if "GROUP BY" in q["sql"] and '"products_product"' in q["sql"]]

    assert not cube_reads(indexed_queries) and len(cube_reads(database_queries)) == 1


def test_an_index_mapped_from_its_file_answers_as_the_one_built(catalogue, tmp_path, monkeypatch):
    """A copy shared through a file of the host (a big catalogue's) is mapped, its arrays read-only
    (core/mapped_pickles.py): searches, orders, lists and counts over it are the database's."""
    from core import mapped_pickles

    built = SearchIndex.build(Product.objects.published())
    stream, buffers = mapped_pickles.dumps(built)
    with open(tmp_path / "index.pickle", "wb") as file:
        mapped_pickles.write(file, stream, buffers)
    mapped = mapped_pickles.load(tmp_path / "index.pickle")
    assert not mapped.post_rows.flags.writeable and not mapped.cube.codes["province"].flags.writeable
    monkeypatch.setattr("products.filters.published_index", lambda: mapped)
    for data in (
        {"q": "mat ong"},
        {"q": "ca", "sort": "-stars"},
        {"q": "ha", "sort": "newest", "province": ["son-la"]},
        {"q": "zz"},
        {},
        {"stars": "4", "sort": "name"},
        {"category": ["che"], "cert": ["gi"]},
    ):
        assert _by_index(data) == _by_database(data), data
        indexed = ProductFilter(data, lists_from_index=True)
        database_cube = facets.build_cube(ProductFilter(data).facet_base(), facets.validity.today())
        assert _cube_counts(indexed.cube()) == _cube_counts(facets.columns.Cube(database_cube))


def test_the_index_tag_names_the_code_that_builds_it(monkeypatch, settings):
    """A copy kept in the host's file across a deploy is taken only by the code that built it."""
    import hashlib
    from pathlib import Path

    settings.SEARCH_INDEX = True
    folder = Path(search_index.__file__).parent
    code = hashlib.sha256(b"".join((folder / n).read_bytes() for n in ("search_index.py", "cube.py", "facets.py")))
    tags = []
    monkeypatch.setattr(search_index.PUBLISHED, "get", lambda tag, wait: tags.append(tag))
    published_index()
    assert tags and tags[0].split(":")[:2] == [str(search_index.INDEX_FORMAT), code.hexdigest()[:12]]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.integers(0, 2**22), min_size=0, max_size=60, unique=True),
    seed=st.integers(0, 2**32 - 1),
    wide=st.booleans(),
)
def test_rows_packed_into_one_key_sort_as_lexsort_does(rows, seed, wide):
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = np.array(rows, dtype=np.int64)
    tier = rng.integers(0, 3, len(rows))
    # Positions as the ranking has them, _NOWHERE included; `wide` makes the columns too wide to pack.
    position = rng.choice(np.array([0, 1, 7, 40, search_index._NOWHERE], dtype=np.int64), len(rows))
    length = rng.integers(0, 2**40 if wide else 300, len(rows))
    expected = rows[np.lexsort((rows, length, position, tier))]
    assert search_index._in_order(tier, position, length, rows).tolist() == expected.tolist()


def test_the_packed_key_is_used_when_the_columns_fit(monkeypatch):
    import numpy as np

    rng = np.random.default_rng(7)
    rows = rng.choice(2**20, 5_000, replace=False).astype(np.int64)
    tier, position, length = rng.integers(0, 3, 5_000), rng.integers(0, 200, 5_000), rng.integers(0, 300, 5_000)
    expected = rows[np.lexsort((rows, length, position, tier))]

    def refused(*args, **kwargs):
        raise AssertionError("lexsort used where the columns fit in one key")

    monkeypatch.setattr(search_index.np, "lexsort", refused)
    assert search_index._in_order(tier, position, length, rows).tolist() == expected.tolist()


def test_a_copy_built_after_midnight_for_the_day_before_is_not_served_for_it(catalogue, monkeypatch):
    """The tag names the day asked for; the build reads its own day: a build that straddles midnight holds the
    next day's statuses and must not answer for the day before."""
    evening = datetime.date(2026, 12, 31)
    days = iter([evening])  # the tag's day; every later reading (the build's) is already the next day
    monkeypatch.setattr(search_index.validity, "today", lambda: next(days, evening + datetime.timedelta(days=1)))
    assert published_index() is None
    monkeypatch.setattr(search_index.validity, "today", lambda: evening)
    index = published_index()
    assert index is not None and index.day == evening


@given(
    size=st.integers(0, 400),
    seed=st.integers(0, 2**32 - 1),
    reads=st.lists(st.tuples(st.integers(-450, 450), st.integers(-450, 450)), min_size=1, max_size=4),
)
def test_ranked_rows_read_as_the_sorted_array_however_far_they_are_sorted(size, seed, reads):
    """RankedRows (a search's results, sorted as far as its page): every slice, index, iteration and list of it
    is the fully sorted order's, mapped through the primary keys, whichever was read first."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = rng.choice(2**20, size, replace=False).astype(np.int64)
    tier, position = rng.integers(0, 3, size), rng.integers(0, 200, size)
    pks = rng.permutation(2**20).astype(np.int64) + 1
    expected = pks[rows[np.lexsort((rows, position, tier))]]
    ranked = search_index._ranked(tier, position, rows).through(pks)
    assert isinstance(ranked, search_index.RankedRows) and len(ranked) == size
    for start, stop in reads:
        assert ranked[start:stop].tolist() == expected[start:stop].tolist()
        assert ranked[start:stop:2].tolist() == expected[start:stop:2].tolist()
        if -size <= start < size:
            assert ranked[start] == expected[start]
    assert ranked.tolist() == list(ranked) == expected.tolist()


def test_the_first_page_of_a_broad_search_sorts_only_its_head():
    import numpy as np

    rng = np.random.default_rng(3)
    rows = rng.permutation(100_000).astype(np.int64)
    ranked = search_index._ranked(rng.integers(0, 3, 100_000), rows)
    first_page = ranked[0:24]
    assert len(ranked._head) == 24
    assert first_page.tolist() == ranked.tolist()[:24]
    assert len(ranked._head) == 100_000


@pytest.mark.parametrize("word", ["a", "c", "ca", "ong", "mat", "zz"])
def test_occurrences_copied_run_by_run_are_those_gathered_by_index(catalogue, word):
    """occurrences() copies each vocabulary word's run of postings as it is; the same rows and positions, in
    the same order and types, as gathering them through an array of indexes into the postings."""
    np = search_index.np
    index = published_index()
    ids, found = index.hits(word)
    starts = index.word_start[ids]
    lengths = index.word_start[ids + 1] - starts
    ends = np.cumsum(lengths)
    postings = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - lengths - starts, lengths)
    rows, positions = index.occurrences(word)
    expected_positions = index.post_offsets[postings].astype("int32") + np.repeat(found + 1, lengths)
    assert rows.tolist() == index.post_rows[postings].tolist()
    assert positions.tolist() == expected_positions.tolist()
    assert rows.dtype == index.post_rows.dtype and positions.dtype == expected_positions.dtype
    assert (len(rows) > 0) == (word != "zz")
