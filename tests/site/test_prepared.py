"""Prepared querysets (core/prepared.py): built and compiled once, then the same rows as the ORM's for any value."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from core import validity
from core.prepared import PreparedQuery
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db


def _product_query(day, slug):
    return (
        Product.objects.published()
        .with_current_stars(day)
        .select_related("producer__province", "category__group")
        .filter(slug=slug)
    )


class Counting:
    """A build function that counts its calls."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.build(*args, **kwargs)


def _seen(product):
    """What a page reads of a product: its fields, annotations and the rows joined in."""
    return (
        product.pk,
        product.slug,
        product.name,
        product.current_stars,
        product.current_stars_until,
        product.producer.name,
        product.producer.province.slug,
        product.category.group.code,
    )


def test_a_prepared_query_gives_the_rows_of_the_queryset_for_each_value():
    rated = f.rated_product(stars=5, name="Chè Shan tuyết", valid_until=validity.today() + datetime.timedelta(days=30))
    plain = f.product(name="Xoài tròn Yên Châu")
    f.product(name="Ẩn", is_published=False)
    build = Counting(_product_query)
    prepared = PreparedQuery(build, key=validity.today, slug="\x00slug\x00")
    for product in (rated, plain, rated):
        (found,) = prepared(slug=product.slug)
        assert _seen(found) == _seen(_product_query(validity.today(), product.slug).get())
    assert _seen(prepared(slug=rated.slug)[0])[3] == 5
    assert prepared(slug="an") == []  # unpublished
    assert prepared(slug="khong-co") == []
    # Built once for the model and twice as the template (placeholders checked); never again for new values.
    assert build.calls == 3


def test_the_prepared_statement_runs_once_per_call_with_the_new_values():
    first, second = f.product(name="Một"), f.product(name="Hai")
    prepared = PreparedQuery(_product_query, key=validity.today, slug="\x00slug\x00")
    prepared(slug=first.slug)
    with CaptureQueriesContext(connection) as queries:
        assert prepared(slug=second.slug)[0].pk == second.pk
    assert len(queries) == 1
    assert second.slug in str(queries.captured_queries[0]["sql"])  # the value, not the placeholder
    assert "\x00" not in queries.captured_queries[0]["sql"]


def test_a_new_day_builds_a_new_statement(monkeypatch):
    """The validity annotations compare with the day: yesterday's statement would keep yesterday's stars."""
    ends = validity.today() + datetime.timedelta(days=1)
    product = f.rated_product(stars=4, valid_until=ends)
    prepared = PreparedQuery(_product_query, key=validity.today, slug="\x00slug\x00")
    assert prepared(slug=product.slug)[0].current_stars == 4
    later = ends + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    assert validity.today() == later
    assert prepared(slug=product.slug)[0].current_stars is None
    assert _product_query(later, product.slug).get().current_stars is None


def test_changed_settings_build_the_statements_again():
    product = f.product()
    build = Counting(_product_query)
    prepared = PreparedQuery(build, key=validity.today, slug="\x00slug\x00")
    prepared(slug=product.slug)
    with override_settings(OCOP_EXPIRING_DAYS=7):
        prepared(slug=product.slug)
    assert build.calls == 5


def test_prefetch_lookups_are_run_on_the_result():
    product = f.product()
    f.product(producer_obj=product.producer, name="Cùng chủ thể")
    prepared = PreparedQuery(
        lambda day, slug: (
            Product.objects.filter(slug=slug).select_related("producer").prefetch_related("producer__products")
        ),
        slug="\x00slug\x00",
    )
    (found,) = prepared(slug=product.slug)
    with CaptureQueriesContext(connection) as queries:
        names = sorted(p.name for p in found.producer.products.all())
    assert len(queries) == 0
    assert len(names) == 2


def test_a_placeholder_the_statement_does_not_hold_is_refused():
    """A value that is not a parameter (here a slug compared with None) would be silently ignored."""
    f.product()
    prepared = PreparedQuery(lambda day, slug: Product.objects.filter(slug=None), slug="\x00slug\x00")
    with pytest.raises(ValueError, match="slug"):
        prepared(slug="x")
    transformed = PreparedQuery(lambda day, slug: Product.objects.filter(slug=slug.lower()), slug="\x00slug\x00")
    with pytest.raises(ValueError, match="not found"):  # the second set of placeholders, lower-cased
        transformed(slug="Chè-Đinh")
    with pytest.raises(ValueError, match="own"):
        PreparedQuery(_product_query, slug="a", other="a")
    with pytest.raises(TypeError):
        PreparedQuery(_product_query, slug="\x00slug\x00")(name="x")


def test_the_product_page_runs_the_prepared_statements(client):
    """The page's product, entries and related cards: the same rows as the ORM's queries, for two products."""
    from products import views

    first = f.rated_product(stars=3, name="Mật ong bạc hà")
    second = f.product(producer_obj=first.producer, name="Mật ong hoa nhãn")
    for product in (first, second):
        response = client.get(product.get_absolute_url())
        assert response.status_code == 200
        page = response.context["product"]
        assert _seen(page) == _seen(_product_query(validity.today(), product.slug).get())
        assert [e.pk for e in response.context["entries"]] == list(
            product.entries.order_by("pk").values_list("pk", flat=True)
        )
        assert [p.pk for p in response.context["related"]] == [first.pk if product == second else second.pk]
    assert len(views._PRODUCT._templates) == 1
    assert client.get("/products/khong-co-san-pham-nay/").status_code == 404


def test_cards_by_key_are_the_querysets_rows_for_each_page_length():
    """A page of the index's list reads its cards by key: one prepared statement per page length."""
    from core.prepared import PreparedByKeys
    from products.filters import CARDS_BY_KEY

    made = [f.rated_product(stars=3 + n % 3, name=f"Sản phẩm {n}") for n in range(5)]
    hidden = f.product(is_published=False)
    build = Counting(lambda day, keys: Product.objects.published().for_cards(day).filter(pk__in=keys))
    by_key = PreparedByKeys(build, key=validity.today)
    for keys in ([made[0].pk], [made[3].pk, made[1].pk], [p.pk for p in made], [made[2].pk, hidden.pk]):
        expected = {p.pk: p for p in Product.objects.published().for_cards().filter(pk__in=keys)}
        found = {p.pk: p for p in by_key(keys)}
        assert found.keys() == expected.keys()
        for pk, card in found.items():
            assert (card.current_stars, card.has_gi, card.has_mark, card.producer.province.name) == (
                expected[pk].current_stars,
                expected[pk].has_gi,
                expected[pk].has_mark,
                expected[pk].producer.province.name,
            )
    assert by_key([]) == []
    by_key([made[4].pk, made[0].pk])  # a length seen before builds nothing new
    assert build.calls == 3 * 3  # lengths 1, 2 and 5: once each for the model, twice as the template
    assert [p.pk for p in CARDS_BY_KEY([made[1].pk])] == [made[1].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE/EXECUTE are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_the_statement_is_prepared_once_per_connection(settings):
    """Planning cost more than running: each connection PREPAREs the statement once, then EXECUTEs it."""
    first, second = f.product(name="Một"), f.product(name="Hai")
    build = _product_query
    prepared = PreparedQuery(build, key=validity.today, slug="\x00slug\x00")
    connection.close()  # a connection of its own: no other test's statements on it

    def statements(queries):
        return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]

    with CaptureQueriesContext(connection) as queries:
        assert prepared(slug=first.slug)[0].pk == first.pk
        assert prepared(slug=second.slug)[0].pk == second.pk
    sql = statements(queries)
    assert sql[0].startswith("PREPARE ocop_") and "$1" in sql[0]
    assert sql[1].startswith("EXECUTE ocop_") and first.slug in sql[1]
    assert sql[2].startswith("EXECUTE ocop_") and second.slug in sql[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [sql[0].split()[1]])
        assert cursor.fetchone()[0] == 1
    connection.close()  # the next query opens a new connection, which holds no statement yet
    with CaptureQueriesContext(connection) as queries:
        assert _seen(prepared(slug=second.slug)[0]) == _seen(build(validity.today(), second.slug).get())
    assert [q.split()[0] for q in statements(queries)][:2] == ["PREPARE", "EXECUTE"]
    settings.DB_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        assert prepared(slug=first.slug)[0].pk == first.pk
    assert statements(queries)[-1].startswith("SELECT")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE/EXECUTE are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_session_that_lost_its_statements_or_its_connection_still_gets_its_rows():
    """A pooler or DISCARD empties the session; PostgreSQL restarts between two requests; a migration
    changes what a kept plan returns: the page is answered each time, and the statement prepared again."""
    from django.db import connections

    product = f.product(name="Một")
    prepared = PreparedQuery(_product_query, key=validity.today, slug="\x00slug\x00")
    connection.close()
    prepared(slug=product.slug)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert prepared(slug=product.slug)[0].pk == product.pk  # EXECUTE failed: answered with plain SQL
    with CaptureQueriesContext(connection) as queries:
        assert prepared(slug=product.slug)[0].pk == product.pk
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["PREPARE", "EXECUTE"]

    # The server ends the session; the next request's health check reconnects before the statement runs.
    pid = connection.connection.get_backend_pid()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    connection.health_check_done = False  # what the start of a request does
    assert prepared(slug=product.slug)[0].pk == product.pk

    # Inside a transaction nothing is prepared: a failed EXECUTE would abort it.
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert prepared(slug=product.slug)[0].pk == product.pk
    assert queries.captured_queries[-1]["sql"].startswith("SELECT")


def test_the_server_statement_numbers_the_placeholders_and_names_their_types():
    from core.prepared import _server_statement

    name, prepare = _server_statement(
        "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%' AND c >= %s AND d = %s",
        ("slug", datetime.date(2026, 12, 6), 7),
    )
    head, body = prepare.split(" AS ", 1)
    assert head == f"PREPARE {name} (text, date, bigint)"
    assert body == "SELECT * FROM t WHERE a = $1 AND b LIKE 'x%' AND c >= $2 AND d = $3"
    assert _server_statement("SELECT %s", (None,)) is None  # no type to tell PostgreSQL
    assert _server_statement("SELECT %s", (datetime.datetime(2026, 1, 1),)) is None  # naive
    assert _server_statement("SELECT 1", ())[1].endswith("AS SELECT 1")


def _values_query(day, producer):
    """Columns named in another order than Django would put them (an annotation first), and a values_list."""
    from django.db.models import Count

    return (
        Product.objects.filter(producer_id=producer)
        .values("category_id")
        .annotate(n=Count("pk"))
        .values("n", "category_id")
        .order_by("category_id")
    )


def test_values_and_values_list_querysets_give_what_the_orm_gives():
    producer = f.producer()
    for name, category in (("Chè một", "Chè"), ("Chè hai", "Chè"), ("Mật ong", "Mật ong")):
        f.product(name=name, producer_obj=producer, category_obj=f.category(category))
    by_values = PreparedQuery(_values_query, producer=-7_000_000_901)
    assert by_values(producer=producer.pk) == list(_values_query(None, producer.pk))
    assert {row["n"] for row in by_values(producer=producer.pk)} == {1, 2}  # the counts under their own names
    names = PreparedQuery(
        lambda day, producer: (
            Product.objects.filter(producer_id=producer).order_by("name").values_list("name", flat=True)
        ),
        producer=-7_000_000_902,
    )
    assert names(producer=producer.pk) == ["Chè hai", "Chè một", "Mật ong"]
    pairs = PreparedQuery(
        lambda day, producer: Product.objects.filter(producer_id=producer).order_by("name").values_list("pk", "name"),
        producer=-7_000_000_903,
    )
    assert pairs(producer=producer.pk) == list(
        Product.objects.filter(producer_id=producer.pk).order_by("name").values_list("pk", "name")
    )


def test_the_filters_choices_are_the_orms_rows():
    """The product list's choices (units with the one each merged into, categories, groups) are prepared."""
    from core.filters import province_rows
    from producers.models import Province
    from products import filters
    from products.models import Category, ProductGroup

    f.product()
    units = province_rows(Province)
    assert [(u.pk, u.slug, u.merged_into_id) for u in units] == [
        (u.pk, u.slug, u.merged_into_id) for u in Province.objects.select_related("merged_into")
    ]
    merged = next(u for u in units if u.merged_into_id)
    with CaptureQueriesContext(connection) as queries:
        assert merged.merged_into.pk == merged.merged_into_id  # joined, not read again
    assert not queries.captured_queries
    assert [c.pk for c in filters._CATEGORIES()] == [c.pk for c in Category.objects.all()]
    assert [g.pk for g in filters._GROUPS()] == [g.pk for g in ProductGroup.objects.all()]


def test_the_converters_of_a_prepared_query_are_worked_out_once(monkeypatch):
    """Working out which converter each of a wide statement's columns needs cost more than a run of the
    statement (~0.2 ms for 69 columns): done when the template is built, not on every call; the values are
    converted all the same (a date, a decimal score, an image file)."""
    from django.db.models.sql.compiler import SQLCompiler

    from certifications.models import CertifiedProduct

    rated = f.rated_product(stars=4, valid_until=validity.today() + datetime.timedelta(days=30))
    entries = PreparedQuery(
        lambda day, pk: CertifiedProduct.objects.select_related("certificate", "product").filter(product_id=pk),
        pk=-99,
    )
    entries(pk=rated.pk)  # the template is built
    calls = []
    worked_out = SQLCompiler.get_converters
    monkeypatch.setattr(SQLCompiler, "get_converters", lambda self, e: calls.append(1) or worked_out(self, e))
    (entry,) = entries(pk=rated.pk)
    assert calls == []
    expected = CertifiedProduct.objects.select_related("certificate", "product").get(product_id=rated.pk)
    until = validity.today() + datetime.timedelta(days=30)
    assert entry.certificate.valid_until == expected.certificate.valid_until == until
    assert isinstance(entry.certificate.valid_until, datetime.date)
    assert entry.score == expected.score and entry.product.image.name == expected.product.image.name
