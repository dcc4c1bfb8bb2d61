"""Targeted invalidation: a write replaces the cached pages of what it changed, and only those."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.CATALOGUE_CACHE = True


@pytest.fixture
def two_provinces():
    son_la = f.product(name="Chè Shan tuyết Mộc Châu", producer_obj=f.producer(name="HTX Chè Mộc Châu"))
    quang_ninh = f.product(
        name="Nước mắm Cái Rồng", producer_obj=f.producer(name="Công ty Cái Rồng", province_slug="quang-ninh")
    )
    return son_la, quang_ninh


def state(client, path):
    return client.get(path)["X-Catalogue-Cache"]


def pages(son_la, quang_ninh):
    return {
        "sl_product": son_la.get_absolute_url(),
        "qn_product": quang_ninh.get_absolute_url(),
        "sl_producer": son_la.producer.get_absolute_url(),
        "qn_producer": quang_ninh.producer.get_absolute_url(),
        "sl_list": "/products/?province=son-la",
        "qn_list": "/products/?province=quang-ninh",
        "sl_province": "/provinces/son-la/",
        "qn_province": "/provinces/quang-ninh/",
        "qn_producers": "/producers/?province=quang-ninh",
        "verify": "/certificates/verify/?number=123",
        "home": "/",
    }


def warm(client, paths):
    for path in paths.values():
        client.get(path)
        assert state(client, path) == "hit", path


def test_a_product_saved_in_son_la_leaves_quang_ninh_cached(client, two_provinces, django_capture_on_commit_callbacks):
    son_la, quang_ninh = two_provinces
    paths = pages(son_la, quang_ninh)
    warm(client, paths)
    with django_capture_on_commit_callbacks(execute=True):
        son_la.description = "Búp chè một tôm hai lá, hái ở độ cao 1.000 m."
        son_la.save()
    after = {name: state(client, path) for name, path in paths.items()}
    assert after == {
        "sl_product": "miss",
        "qn_product": "hit",
        "sl_producer": "miss",
        "qn_producer": "hit",
        "sl_list": "miss",
        "qn_list": "hit",
        "sl_province": "miss",
        "qn_province": "hit",
        "qn_producers": "hit",
        "verify": "miss",  # the register's answers name products: it follows every write to them
        "home": "hit",  # over the whole catalogue: it follows within CATALOGUE_NATIONAL_SECONDS
    }
    assert "1.000 m" in client.get(paths["sl_product"]).content.decode()


def test_a_former_province_in_a_list_filter_is_its_current_unit(
    client, two_provinces, django_capture_on_commit_callbacks
):
    """?province=ha-giang lists Tuyên Quang's products (merged in 2025): Tuyên Quang's writes replace it."""
    tuyen_quang = f.product(name="Cam sành Hàm Yên", producer_obj=f.producer(province_slug="tuyen-quang"))
    path = "/products/?province=ha-giang"
    client.get(path)
    assert state(client, path) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        tuyen_quang.name = "Cam sành Hàm Yên loại 1"
        tuyen_quang.save()
    assert state(client, path) == "miss"


def test_revoking_a_certificate_replaces_its_products_pages_and_the_register(
    client, two_provinces, django_capture_on_commit_callbacks
):
    son_la, quang_ninh = two_provinces
    certificate = f.certificate(kind="gi", number="00123", title="Mộc Châu", issued_on=datetime.date(2020, 5, 4))
    f.entry(certificate, son_la)
    paths = {**pages(son_la, quang_ninh), "certificate": certificate.get_absolute_url()}
    warm(client, paths)
    with django_capture_on_commit_callbacks(execute=True):
        certificate.revoked_on = datetime.date(2026, 1, 2)
        certificate.save()
    for name in ("sl_product", "sl_producer", "sl_province", "verify", "certificate"):
        assert state(client, paths[name]) == "miss", name
    for name in ("qn_product", "qn_list", "qn_province", "home"):
        assert state(client, paths[name]) == "hit", name


def test_a_producer_renamed_replaces_its_products_pages(client, two_provinces, django_capture_on_commit_callbacks):
    son_la, quang_ninh = two_provinces
    paths = pages(son_la, quang_ninh)
    warm(client, paths)
    producer = son_la.producer
    with django_capture_on_commit_callbacks(execute=True):
        producer.phone = "0212 3866 065"
        producer.save()
    assert state(client, paths["sl_product"]) == "miss"
    assert state(client, paths["sl_producer"]) == "miss"
    assert state(client, paths["qn_product"]) == "hit"


def test_the_change_history_and_staff_assignments_bump_nothing(two_provinces, django_capture_on_commit_callbacks):
    son_la, _quang_ninh = two_provinces
    whole = cache.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        son_la.save()  # writes a history row too
    assert cache.current_version() == whole


def test_a_category_renamed_bumps_the_whole_catalogue(two_provinces, django_capture_on_commit_callbacks):
    son_la, _quang_ninh = two_provinces
    whole = cache.current_version()
    category = son_la.category
    with django_capture_on_commit_callbacks(execute=True):
        category.name = category.name + " đặc sản"
        category.save()
    assert cache.current_version() != whole


def test_a_national_entry_lives_the_national_delay(settings):
    assert cache.timeout_for((), 3600) == settings.CATALOGUE_NATIONAL_SECONDS
    assert cache.timeout_for(("province:son-la",), 3600) == 3600


def test_deleting_a_product_replaces_its_producers_and_provinces_pages(
    client, two_provinces, django_capture_on_commit_callbacks
):
    son_la, quang_ninh = two_provinces
    paths = pages(son_la, quang_ninh)
    warm(client, paths)
    with django_capture_on_commit_callbacks(execute=True):
        son_la.delete()
    assert client.get(paths["sl_product"]).status_code == 404
    for name in ("sl_producer", "sl_list", "sl_province"):
        assert state(client, paths[name]) == "miss", name
    for name in ("qn_product", "qn_list", "qn_province"):
        assert state(client, paths[name]) == "hit", name


def _choice_queries(queries):
    tables = ('"producers_province"', '"products_category"', '"products_productgroup"')
    return [q["sql"] for q in queries.captured_queries if any(f"FROM {table}" in q["sql"] for table in tables)]


def test_the_filters_choices_are_kept_until_a_province_category_or_group_changes(
    two_provinces, django_capture_on_commit_callbacks
):
    """Each list read its provinces, categories and groups (three queries); they are kept in the process
    until the `all` version moves, which a write to any of those tables does; a product write does not."""
    from products.filters import ProductFilter
    from products.models import ProductGroup

    son_la, _quang_ninh = two_provinces
    cache._kept.clear()
    ProductFilter({"province": "son-la"})  # loads and keeps them
    with CaptureQueriesContext(connection) as queries:
        kept = ProductFilter({"province": "son-la"})
    assert _choice_queries(queries) == []  # the cache's own lookup only (Redis in production)
    assert {p.slug for p in kept.provinces} >= {"son-la", "quang-ninh"}
    with django_capture_on_commit_callbacks(execute=True):
        son_la.save()
    with CaptureQueriesContext(connection) as queries:
        ProductFilter({"province": "son-la"})
    assert _choice_queries(queries) == []
    for changed in (son_la.category, ProductGroup.objects.first(), son_la.producer.province):
        with django_capture_on_commit_callbacks(execute=True):
            changed.name = changed.name + " (mới)"
            changed.save()
        with CaptureQueriesContext(connection) as queries:
            again = ProductFilter({"province": "son-la"})
        assert len(_choice_queries(queries)) == 3
        names = [c.name for c in again.categories] + [g.name for g in again.groups]
        names += [p.name for p in again.provinces]
        assert changed.name in names
    cache._kept.clear()


def test_a_list_read_from_an_index_behind_a_write_is_kept_no_longer_than_the_index(
    client, two_provinces, django_capture_on_commit_callbacks, settings
):
    """The lists come from the search index, which follows writes within max_age: a page built from an
    index older than the last write must not then live its full national delay in the page cache."""
    from core.page_cache import KEEP_AT_MOST
    from products.search_index import PUBLISHED

    son_la, _quang_ninh = two_provinces
    first = client.get("/products/?province=quang-ninh")
    assert first["X-Catalogue-Cache"] == "miss" and not hasattr(first, KEEP_AT_MOST)  # a current index
    with django_capture_on_commit_callbacks(execute=True):
        son_la.name = "Chè Shan tuyết Mộc Châu đặc biệt"
        son_la.save()
    PUBLISHED.checked_at = 0  # a second later: the process looks at the change marker again
    behind = client.get("/products/?province=son-la")
    assert behind["X-Catalogue-Cache"] == "miss"
    assert 0 < getattr(behind, KEEP_AT_MOST) <= PUBLISHED.max_age


@pytest.mark.parametrize(("keep", "second"), [(None, "hit"), (30, "hit"), (0, "miss")])
def test_a_page_is_kept_at_most_what_its_view_allows(rf, keep, second):
    from django.http import HttpResponse

    from core.page_cache import KEEP_AT_MOST, cache_public_page

    @cache_public_page
    def view(request):
        response = HttpResponse("<p>trang</p>")
        if keep is not None:
            setattr(response, KEEP_AT_MOST, keep)
        return response

    cache.bump()
    assert view(rf.get("/kept/"))["X-Catalogue-Cache"] == "miss"
    assert view(rf.get("/kept/"))["X-Catalogue-Cache"] == second
