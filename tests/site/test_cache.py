"""The catalogue version: every committed write bumps it, so cached fragments are never stale."""

import threading
import time
import uuid
from unittest import mock

import pytest
import redis
from django.core.management import call_command

from core import cache
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.CATALOGUE_CACHE = True


def test_a_committed_write_bumps_the_scopes_it_touches(django_capture_on_commit_callbacks):
    product = f.product(name="Chè Tân Cương")
    scopes = (f"product:{product.slug}",)
    before, whole = cache.versions(scopes), cache.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Chè Tân Cương đặc biệt"
        product.save()
    assert cache.versions(scopes) != before
    # One product's write is not the whole catalogue's.
    assert cache.current_version() == whole


def test_the_bump_waits_for_the_commit(django_capture_on_commit_callbacks):
    before = cache.current_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        f.product()
        assert cache.current_version() == before
    assert callbacks


def test_get_or_build_rebuilds_after_a_write(django_capture_on_commit_callbacks):
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    product = f.product()
    scopes = (f"product:{product.slug}",)
    assert cache.get_or_build("facets", ("q",), build, scopes=scopes) == 1
    assert cache.get_or_build("facets", ("q",), build, scopes=scopes) == 1  # cached
    with django_capture_on_commit_callbacks(execute=True):
        product.save()
    assert cache.get_or_build("facets", ("q",), build, scopes=scopes) == 2


SHARED_REDIS = "redis://127.0.0.1:6379/7"


@pytest.fixture
def shared_redis(settings):
    """The catalogue cache on the real Redis (as in production), under a prefix of this test's own.

    The test database cache cannot take the visitors' threads: SQLite locks its table to the test's
    transaction, and a lock that is not shared proves nothing.
    """
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "catalogue": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SHARED_REDIS,
            "KEY_PREFIX": prefix,
        },
    }
    yield
    client = redis.Redis.from_url(SHARED_REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_after_a_write_only_one_of_many_concurrent_misses_builds_the_value(shared_redis):
    """The rest wait for the builder's value instead of all rebuilding it at once (dogpile)."""
    cache.bump_version()
    calls = []
    start = threading.Barrier(6)

    def build():
        calls.append(1)
        time.sleep(0.3)
        return "cube"

    results = []

    def visitor():
        start.wait()
        results.append(cache.get_or_build("facet-cube", ("",), build))

    threads = [threading.Thread(target=visitor) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["cube"] * 6
    assert len(calls) == 1


def test_a_build_lock_left_by_a_dead_builder_delays_but_never_blocks(shared_redis, monkeypatch):
    monkeypatch.setattr(cache, "BUILD_WAIT", 0.3)
    cache.bump_version()
    key = cache.key_for("facet-cube", "")
    cache._cache().add(key + ":building", "dead", 30)  # a builder that died holding the lock
    started = time.monotonic()
    assert cache.get_or_build("facet-cube", ("",), lambda: "built anyway") == "built anyway"
    assert time.monotonic() - started >= 0.3  # it waited for the builder first
    assert cache._cache().get(key) == "built anyway"
    assert cache._cache().get(key + ":building") == "dead"  # not its lock: left alone


def test_waiters_build_at_once_when_the_builder_fails(shared_redis, monkeypatch):
    """A failed build releases its lock without a value: the waiters stop waiting then, not after BUILD_WAIT."""
    monkeypatch.setattr(cache, "BUILD_WAIT", 8)
    cache.bump_version()
    building = threading.Event()
    outcome = {}

    def broken():
        building.set()
        time.sleep(0.3)
        raise RuntimeError("database went away")

    def first():
        try:
            cache.get_or_build("facet-cube", ("",), broken)
        except RuntimeError as error:
            outcome["first"] = str(error)

    thread = threading.Thread(target=first)
    thread.start()
    assert building.wait(5)
    started = time.monotonic()
    assert cache.get_or_build("facet-cube", ("",), lambda: "second") == "second"
    waited = time.monotonic() - started
    thread.join()
    assert outcome == {"first": "database went away"}
    assert 0.1 < waited < 4  # it waited for the failing build, then built at once


def test_a_failed_build_releases_its_lock(shared_redis):
    cache.bump_version()

    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get_or_build("facet-cube", ("",), broken)
    assert cache._cache().get(cache.key_for("facet-cube", "") + ":building") is None
    assert cache.get_or_build("facet-cube", ("",), lambda: "next visitor builds") == "next visitor builds"


def test_a_lost_version_key_starts_a_new_series():
    cache.bump_version()
    old = cache.current_version()
    cache._cache().delete(cache.VERSION_KEY)
    cache.bump_version()
    assert cache.current_version() != old


def test_bulk_commands_bump_the_version_once(django_capture_on_commit_callbacks, monkeypatch):
    bumps = []
    real_bump = cache.bump
    monkeypatch.setattr(cache, "bump", lambda *scopes: bumps.append(scopes) or real_bump(*scopes))
    before = cache.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_synthetic", "--products", "30", "--no-progress", verbosity=0)
    assert cache.current_version() != before
    # One bump of the whole catalogue, not one per certificate or entry saved on the way.
    assert bumps == [(cache.ALL,)]
    bumps.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_synthetic", "--clear", "--no-progress", verbosity=0)
    assert bumps == [(cache.ALL,)]


def test_public_pages_are_served_from_the_shared_cache_until_a_write(client, django_capture_on_commit_callbacks):
    product = f.rated_product(stars=4, name="Mật ong bạc hà Mèo Vạc")
    url = product.get_absolute_url()
    first = client.get(url)
    assert first["X-Catalogue-Cache"] == "miss"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second["X-Catalogue-Cache"] == "hit"
    assert second.content == first.content
    assert len([q for q in queries.captured_queries if "catalogue_cache" not in q["sql"]]) == 0
    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Mật ong bạc hà Mèo Vạc loại đặc biệt"
        product.save()
    third = client.get(url)
    assert third["X-Catalogue-Cache"] == "miss"
    assert "loại đặc biệt" in third.content.decode()


def test_each_language_has_its_own_entry(client):
    product = f.product(name="Gạo Séng Cù")
    assert client.get(product.get_absolute_url())["X-Catalogue-Cache"] == "miss"
    english = client.get("/en" + product.get_absolute_url())
    assert english["X-Catalogue-Cache"] == "miss"
    assert 'lang="en"' in english.content.decode()


def test_visitors_with_a_session_are_never_served_shared_pages(client, admin_user):
    product = f.product()
    client.get(product.get_absolute_url())
    client.force_login(admin_user)
    response = client.get(product.get_absolute_url())
    assert "X-Catalogue-Cache" not in response


def test_error_pages_are_not_cached(client):
    assert client.get("/products/khong-co-san-pham-nay/").status_code == 404
    assert "X-Catalogue-Cache" not in client.get("/products/khong-co-san-pham-nay/")


def test_a_page_that_hands_out_a_csrf_token_is_neither_stored_nor_public(client, settings):
    """A form's token is one visitor's: such a page is never shared, by the page cache or by HTTP caches."""
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import path

    from core.page_cache import cache_public_page

    @cache_public_page
    def page_with_a_form(request):
        html = engines["django"].from_string('<form method="post">{% csrf_token %}</form>').render({}, request)
        return HttpResponse(html)

    module = type("urls", (), {"urlpatterns": [path("form/", page_with_a_form)]})
    settings.ROOT_URLCONF = module
    for _ in range(2):
        response = client.get("/form/")
        assert "X-Catalogue-Cache" not in response
        assert response["Cache-Control"] == "private, no-cache"
        assert "csrftoken" in response.cookies


def test_sitemaps_are_cached_for_the_national_delay(client, settings, django_capture_on_commit_callbacks):
    """A sitemap page lists thousands of products: crawlers get the shared copy, which no single write
    names, for CATALOGUE_NATIONAL_SECONDS at most."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    product = f.product(name="Cà phê Arabica Sơn La")
    for path in ("/sitemap.xml", "/sitemap-products.xml"):
        assert client.get(path)["X-Catalogue-Cache"] == "miss"
        cached = client.get(path)
        assert cached["X-Catalogue-Cache"] == "hit"
        assert cached["Content-Type"].startswith("application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Cà phê Arabica Sơn La loại đặc biệt"
        product.save()
    assert client.get("/sitemap-products.xml")["X-Catalogue-Cache"] == "hit"
    with connection.cursor() as cursor:  # the database cache's own table: when the entries expire
        cursor.execute("SELECT MAX(expires) FROM catalogue_cache WHERE cache_key LIKE %s", ["%catalogue:page:%"])
        latest = cursor.fetchone()[0]
    if isinstance(latest, str):
        latest = datetime.datetime.fromisoformat(latest)
    if timezone.is_naive(latest):
        latest = timezone.make_aware(latest, datetime.UTC)
    assert latest <= timezone.now() + datetime.timedelta(seconds=settings.CATALOGUE_NATIONAL_SECONDS + 1)


def test_the_redis_backend_keeps_one_client_and_works_on_the_real_redis(shared_redis, settings):
    """core.redis_cache: Django's backend built a new redis.Redis for every operation."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "catalogue": {**settings.CACHES["catalogue"], "BACKEND": "core.redis_cache.RedisCache"},
    }
    store = caches["catalogue"]
    client = store._cache.get_client()
    assert store._cache.get_client(write=True) is client
    store.set("trang", "Chè Shan tuyết Mộc Châu", 60)
    assert store.get("trang") == "Chè Shan tuyết Mộc Châu"
    assert store.add("trang", "khác", 60) is False
    store.delete("trang")
    assert store.get("trang") is None
    assert store._cache.get_client() is client


def _counting_cache(names):
    """(a stand-in for core.cache._cache, the list of the operations among `names` made through it, in order)."""
    operations = []
    real = cache._cache

    class Counting:
        def __getattr__(self, name):
            attribute = getattr(real(), name)
            if name in names:
                return lambda *args, **kwargs: operations.append(name) or attribute(*args, **kwargs)
            return attribute

    return Counting, operations


def test_a_request_reads_each_version_once_and_sees_its_own_bumps(settings):
    """Within versions_read_once (one request), a version is read from the shared cache once; a bump in
    the block makes the next read go to the cache again and see the new version."""
    settings.CATALOGUE_CACHE = True
    Counting, calls = _counting_cache({"get_many"})

    cache.bump("province:son-la")  # the key exists (a missing one is added, then read again)
    outside = cache.current_version()
    with mock.patch.object(cache, "_cache", Counting), cache.versions_read_once():
        first = cache.current_version()
        assert cache.current_version() == first == outside
        cache.versions(("province:son-la",))
        cache.versions(("province:son-la",))
        assert len(calls) == 2  # `all`, then the province's version (with `all` again)
        cache.bump("province:son-la")
        assert cache.current_version() == first  # `all` did not move, but it was read again
        assert len(calls) == 3
        cache.bump()
        assert cache.current_version() != first
    assert cache.current_version() != outside  # outside the block, reads as always


def test_a_cached_page_costs_one_round_trip_and_a_write_in_its_scope_makes_it_miss(
    client, settings, django_capture_on_commit_callbacks
):
    """The page's versions and the page itself are read together (core.cache.get_stamped): a page served
    from the shared cache is one read; the stored page carries the versions it was built under, so a write
    that bumps one of them makes it a miss at once, and a write elsewhere leaves it served."""
    product = f.rated_product(stars=4, name="Chè Shan tuyết Mộc Châu")
    other = f.product(name="Gạo nếp cái hoa vàng", producer_obj=f.producer(province_slug="quang-ninh"))
    url = product.get_absolute_url()
    Counting, operations = _counting_cache({"get", "get_many", "set", "add", "set_many"})

    assert client.get(url)["X-Catalogue-Cache"] == "miss"
    with mock.patch.object(cache, "_cache", Counting):
        served = client.get(url)
    assert served["X-Catalogue-Cache"] == "hit"
    assert operations == ["get_many"]
    with django_capture_on_commit_callbacks(execute=True):
        other.name = "Gạo nếp cái hoa vàng Đông Triều"
        other.save()
    assert client.get(url)["X-Catalogue-Cache"] == "hit"  # another province's write
    with django_capture_on_commit_callbacks(execute=True):
        product.description = "Búp chè từ cây cổ thụ trên 100 năm tuổi."
        product.save()
    rebuilt = client.get(url)
    assert rebuilt["X-Catalogue-Cache"] == "miss"
    assert "cây cổ thụ" in rebuilt.content.decode()
