"""The province page's prepared statements (ocop_catalogue/province_queries.py): the rows the plain querysets
the page used to build on each request give, the same page, and no more queries."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import validity
from core.validity import CertificateKind
from ocop_catalogue import province_queries, provinces
from producers.cache_scopes import current_slugs
from producers.models import Province, ReportedFigure, TradeProgramme
from products.models import Product
from tests import factories as f
from tests.site.builders import catalogue

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
SLUGS = ("tuyen-quang", "son-la", "quang-ninh", "ha-noi")  # the last two with no products


# --- The page's queries as the ORM built them on each request (before the statements were prepared) ----


def plain_figures(province):
    stars = {f"stars_{n}": Count("pk", filter=Q(current_stars=n)) for n in province_queries.STARS_DESCENDING}
    rows = list(
        Product.objects.published()
        .filter(producer__province=province)
        .with_current_stars()
        .order_by()
        .values("category__group__code", "category__group__name", "category__group__name_en")
        .annotate(total=Count("pk"), **stars)
        .order_by("category__group__code")
    )
    by_stars = [(n, sum(row[f"stars_{n}"] for row in rows)) for n in province_queries.STARS_DESCENDING]
    total = sum(row["total"] for row in rows)
    rated = sum(count for _n, count in by_stars)
    by_group = [
        (
            SimpleNamespace(
                code=row["category__group__code"],
                name=row["category__group__name"],
                name_en=row["category__group__name_en"],
            ),
            row["total"],
        )
        for row in rows
    ]
    return {"total": total, "rated": rated, "unrated": total - rated, "by_stars": by_stars, "by_group": by_group}


def plain_products(province):
    return list(
        Product.objects.published()
        .filter(producer__province=province)
        .for_cards()
        .order_by(F("current_stars").desc(nulls_last=True), "search_text")[: province_queries.PROVINCE_TOP_PRODUCTS]
    )


def plain_titles(province):
    return list(
        province.certificates.exclude(kind=CertificateKind.OCOP)
        .with_status()
        .select_related("former_province")
        .order_by("kind", "title")[: province_queries.PROVINCE_CERTIFICATES]
    )


def plain_programmes(province):
    return [
        (programme, [other for other in programme.provinces.all() if other.pk != province.pk])
        for programme in province.programmes.prefetch_related("provinces")
    ]


PLAIN = {
    "province_by_slug": lambda slug: Province.objects.select_related("merged_into").filter(slug=slug).first(),
    "province_figures": plain_figures,
    "province_products": plain_products,
    "province_titles": plain_titles,
    "former_units": lambda province: list(province.former_units.all()),
    "reported_figures": lambda province: list(
        province.reported_figures.order_by("-as_of")[: province_queries.REPORTED_FIGURES]
    ),
    "programmes": plain_programmes,
}


# --- What the page reads of each row -------------------------------------------------------------------


def _province(p):
    return None if p is None else (p.pk, p.slug, p.name, p.name_en, p.kind, p.is_current, p.merged_into_id)


def _card(p):
    return (
        p.pk,
        p.slug,
        p.name,
        bool(p.image),
        p.current_stars,
        p.current_stars_until,
        p.has_gi,
        p.has_mark,
        p.producer.name,
        _province(p.producer.province),
        p.category.slug,
        p.category.group.code,
    )


def _title(c):
    return (
        c.pk,
        c.kind,
        c.title,
        c.number,
        c.product_name,
        c.issued_on,
        c.issued_year,
        c.status_code,
        _province(c.former_province),
        _province(c.province),
    )


def _figures(figures):
    return {**figures, "by_group": [(vars(group), count) for group, count in figures["by_group"]]}


SEEN = {
    "province_by_slug": lambda found: (_province(found), found and _province(found.merged_into)),
    "province_figures": _figures,
    "province_products": lambda rows: [_card(p) for p in rows],
    "province_titles": lambda rows: [_title(c) for c in rows],
    "former_units": lambda rows: [(_province(p), _province(p.merged_into)) for p in rows],
    "reported_figures": lambda rows: [
        (r.pk, r.as_of, r.products, r.stars_3, r.stars_4, r.stars_5, r.producers, r.notes, r.province_id) for r in rows
    ],
    "programmes": lambda rows: [
        ((p.pk, p.title, p.signed_on, p.summary), [_province(other) for other in others]) for p, others in rows
    ],
}


# --- Data ----------------------------------------------------------------------------------------------


def world():
    """Rated, unrated, expired and unpublished products in two provinces and two groups; GIs and marks
    in each status, one naming a former unit; more reported figures than the page shows; programmes."""
    day = validity.today()
    made = catalogue(5, provinces=("tuyen-quang", "son-la"))
    tuyen_quang, son_la, quang_ninh = (Province.objects.get(slug=slug) for slug in SLUGS[:3])
    honey = f.category("Mật ong rừng", group_code=2)
    producer = f.producer(province_slug="tuyen-quang")
    f.product(producer_obj=producer, category_obj=honey, name="Chưa có hạng")
    expired = f.certificate(
        "ocop", issued_on=day - 1200 * ONE_DAY, valid_until=day - ONE_DAY, province_slug="tuyen-quang"
    )
    f.entry(expired, f.product(producer_obj=producer, category_obj=honey, name="Hết hạn"), stars=5)
    ending = f.certificate(
        "ocop", issued_on=day - 100 * ONE_DAY, valid_until=day + ONE_DAY, province_slug="tuyen-quang"
    )
    f.entry(ending, f.product(producer_obj=producer, category_obj=honey, name="Hết hạn ngày mai"), stars=5)
    f.entry(ending, f.product(producer_obj=producer, name="Ẩn", is_published=False), stars=4)
    f.product(producer_obj=made["son-la"][0].producer, name="Sơn La thêm")
    ha_giang = Province.objects.get(slug="ha-giang")
    f.certificate("collective_mark", province_slug="tuyen-quang", title="Cam Hà Giang", former_province=ha_giang)
    f.certificate("certification_mark", province_slug="tuyen-quang", title="Chè", filed_on=day - 400 * ONE_DAY)
    f.certificate("gi", province_slug="tuyen-quang", title="Thu hồi", revoked_on=day - ONE_DAY, product_name="X")
    f.certificate(
        "collective_mark", province_slug="tuyen-quang", title="Hết hạn", filed_on=day - 4000 * ONE_DAY, valid_until=day
    )
    for year in range(2015, 2023):
        ReportedFigure.objects.create(
            province=tuyen_quang, as_of=datetime.date(year, 12, 31), products=year, source_url="https://a.vn/"
        )
    older = TradeProgramme.objects.create(title="Ghi nhớ", signed_on=datetime.date(2020, 7, 8), source_url="https://a")
    older.provinces.set([tuyen_quang, son_la, quang_ninh])
    newer = TradeProgramme.objects.create(title="Kết nối", source_url="https://b")
    newer.provinces.set([tuyen_quang, quang_ninh])
    return made


def test_the_prepared_statements_give_the_rows_of_the_plain_querysets():
    world()
    for _round in range(2):  # the second time, each statement runs again with other values
        for slug in (*SLUGS, "ha-giang", "khong-co"):
            assert SEEN["province_by_slug"](province_queries.province_by_slug(slug)) == SEEN["province_by_slug"](
                PLAIN["province_by_slug"](slug)
            )
        for slug in SLUGS:
            province = Province.objects.get(slug=slug)
            for name, plain in PLAIN.items():
                if name != "province_by_slug":
                    prepared = getattr(province_queries, name)(province)
                    assert SEEN[name](prepared) == SEEN[name](plain(province)), (slug, name)
    # The data reached every part of the comparison.
    tuyen_quang = Province.objects.get(slug="tuyen-quang")
    figures = province_queries.province_figures(tuyen_quang)
    assert (figures["total"], figures["unrated"], len(figures["by_group"])) == (8, 2, 2)
    assert len(province_queries.province_titles(tuyen_quang)) == 5
    assert len(province_queries.reported_figures(tuyen_quang)) == province_queries.REPORTED_FIGURES
    assert sorted(len(others) for _p, others in province_queries.programmes(tuyen_quang)) == [1, 2]
    assert [p.slug for p in province_queries.former_units(tuyen_quang)] == ["ha-giang"]


def test_a_new_day_counts_the_ratings_of_that_day(monkeypatch):
    world()
    tuyen_quang = Province.objects.get(slug="tuyen-quang")
    before = province_queries.province_figures(tuyen_quang)
    later = validity.today() + 2 * ONE_DAY
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    after = province_queries.province_figures(tuyen_quang)
    assert after["unrated"] == before["unrated"] + 1  # the rating that ended yesterday
    assert _figures(after) == _figures(plain_figures(tuyen_quang))
    assert SEEN["province_titles"](province_queries.province_titles(tuyen_quang)) == SEEN["province_titles"](
        plain_titles(tuyen_quang)
    )


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    # The CSP nonce is the only part of a page that changes from one request to the next.
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize("language", ["", "/en"])
def test_the_page_is_the_one_the_plain_querysets_made(client, monkeypatch, language):
    world()
    prepared = {slug: _page(client, f"{language}/provinces/{slug}/") for slug in SLUGS}
    for name, plain in PLAIN.items():
        monkeypatch.setattr(provinces, name, plain)
    for slug in SLUGS:
        assert _page(client, f"{language}/provinces/{slug}/") == prepared[slug], slug


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code in (200, 301)
    return len(captured)


def test_the_page_runs_as_many_queries_as_before(client, monkeypatch):
    world()
    current_slugs()  # read once per process, not per page
    # Programmes add the query of their provinces; a unit's former name, the look-up of the aliases.
    urls = ("/provinces/tuyen-quang/", "/provinces/ha-noi/", "/provinces/ha-giang/", "/provinces/thua-thien-hue/")
    for url in urls:
        _queries(client, url)  # the statements built (and, outside a test's transaction, prepared)
    prepared = [_queries(client, url) for url in urls]
    for name, plain in PLAIN.items():
        monkeypatch.setattr(provinces, name, plain)
    assert prepared == [_queries(client, url) for url in urls] == [8, 7, 1, 2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE/EXECUTE are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_every_statement_is_prepared_and_executed_with_the_rows_of_the_plain_querysets():
    """Outside a transaction the statements run as EXECUTEs of the server's plans: none falls back to plain
    SQL for a parameter whose type PostgreSQL could not be told, and the rows are still the ORM's."""
    world()
    connection.close()  # a connection of its own: no other test's statements on it
    for slug in SLUGS[:2]:
        province_queries.province_by_slug(slug)  # the first run of each statement PREPAREs it
        province = Province.objects.get(slug=slug)
        for name in PLAIN:
            if name != "province_by_slug":
                getattr(province_queries, name)(province)
    for slug in SLUGS:
        with CaptureQueriesContext(connection) as captured:
            found = province_queries.province_by_slug(slug)
            rows = {name: getattr(province_queries, name)(found) for name in PLAIN if name != "province_by_slug"}
        run = [query["sql"].split()[0] for query in captured.captured_queries]
        # Programmes' provinces are read by their keys: their statement is prepared once per number of keys.
        assert set(run) == {"EXECUTE"}, (slug, run)
        assert SEEN["province_by_slug"](found) == SEEN["province_by_slug"](PLAIN["province_by_slug"](slug))
        for name, prepared in rows.items():
            assert SEEN[name](prepared) == SEEN[name](PLAIN[name](found)), (slug, name)
