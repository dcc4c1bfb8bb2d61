"""The search index is not rebuilt after writes that change nothing it holds (its fingerprint is unchanged),
and is rebuilt after every write that does: a name, a rating, a product published, moved or removed."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection

from core import cache as catalogue_cache
from core import process_copies
from products import search_index
from products.filters import ProductFilter
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the fingerprint uses PostgreSQL's hash functions"
)


@pytest.fixture
def products(today):
    made = [f.product(name=name) for name in ("Chè Shan tuyết Mộc Châu", "Xoài tròn Yên Châu", "Cà phê Sơn La")]
    f.entry(f.certificate("ocop", valid_until=today + datetime.timedelta(days=300)), made[0], stars=4)
    return made


def current():
    return search_index.fingerprint(Product.objects.published())


def test_without_postgresql_there_is_no_fingerprint_and_the_index_is_rebuilt(products):
    if connection.vendor == "postgresql":
        assert current() is not None
    else:
        assert current() is None


@postgresql_only
def test_writes_that_change_nothing_the_index_holds_keep_its_fingerprint(products):
    before = current()
    tea = Product.objects.get(pk=products[0].pk)
    tea.save()  # a save that changes nothing
    tea.description = "Búp chè hái từ cây cổ thụ."
    tea.source_url = "https://example.org/che"
    tea.save()
    producer = tea.producer
    producer.phone = "0212 3852 123"
    producer.save()
    hidden = f.product(name="Mận hậu Mộc Châu", is_published=False)  # not in the index
    hidden.description = "Chưa công khai."
    hidden.save()
    assert current() == before


@postgresql_only
@pytest.mark.parametrize("change", ["rename", "new", "unpublish", "delete", "rating", "producer_kind", "created_at"])
def test_writes_that_change_what_the_index_holds_change_its_fingerprint(products, today, change):
    before = current()
    tea = Product.objects.get(pk=products[0].pk)
    if change == "rename":
        tea.name = "Chè Shan tuyết cổ thụ Mộc Châu"
        tea.save()
    elif change == "new":
        f.product(name="Mật ong bạc hà")
    elif change == "unpublish":
        tea.is_published = False
        tea.save()
    elif change == "delete":
        Product.objects.filter(pk=products[1].pk).delete()
    elif change == "rating":
        f.entry(f.certificate("ocop", valid_until=today + datetime.timedelta(days=300)), products[2], stars=5)
    elif change == "producer_kind":
        producer = products[1].producer
        producer.kind = "company" if producer.kind != "company" else "household"
        producer.save()
    else:
        Product.objects.filter(pk=tea.pk).update(created_at=tea.created_at - datetime.timedelta(days=1))
    assert current() != before


@pytest.fixture
def shared_index(settings, monkeypatch):
    """The published index as a worker keeps it: the catalogue cache on (in memory), rebuilt in the calling
    thread (another thread's connection would not see the test's rows)."""
    settings.CACHES = {**settings.CACHES, "catalogue": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CATALOGUE_CACHE = True
    monkeypatch.setattr(process_copies, "RECHECK_SECONDS", 0)
    caches["catalogue"].clear()
    copy = process_copies.ProcessCopy("test-search-index", search_index._build_published, max_age=30)
    copy.fingerprinter = search_index._published_fingerprint
    copy.background = False
    yield copy
    caches["catalogue"].clear()


def later(monkeypatch, seconds):
    clock = process_copies.time.time() + seconds
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)


@postgresql_only
def test_the_index_is_kept_after_a_save_that_changes_nothing_and_rebuilt_after_a_rename(
    products, shared_index, monkeypatch, django_capture_on_commit_callbacks
):
    index = shared_index.get()
    assert shared_index.builds == 1
    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.get(pk=products[1].pk).save()  # the writes' signals move the catalogue's marker
    later(monkeypatch, 31)
    assert shared_index.get() is index
    assert (shared_index.builds, shared_index.revalidations) == (1, 1)
    assert shared_index.held.version == catalogue_cache.change_marker()  # current again: not checked again

    mango = Product.objects.get(pk=products[1].pk)
    mango.name = "Xoài cát Hòa Lộc"
    with django_capture_on_commit_callbacks(execute=True):
        mango.save()
    later(monkeypatch, 62)
    rebuilt = shared_index.get()
    assert rebuilt is not index and shared_index.builds == 2
    hoa_loc = rebuilt.pks[rebuilt.matching(["hoa", "loc"])]
    assert list(hoa_loc) == [mango.pk]
    assert [p.pk for p in ProductFilter({"q": "hoa loc"}).qs] == [mango.pk]  # what the database says too


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_build_reads_its_fingerprint_and_its_rows_in_one_snapshot():
    """A write committed between the two reads is in neither: the fingerprint describes the rows built."""
    import threading

    from django.db import connections

    f.product(name="Chè Shan tuyết Mộc Châu")

    def write_elsewhere():
        f.product(name="Xoài tròn Yên Châu")  # another connection, committed at once
        connections.close_all()

    def fingerprint_then_a_write():
        found = search_index._published_fingerprint()
        writer = threading.Thread(target=write_elsewhere)
        writer.start()
        writer.join()
        return found

    copy = process_copies.ProcessCopy(
        "test-snapshot", search_index._build_published, fingerprinter=fingerprint_then_a_write
    )
    built = copy._build(None, "")
    assert len(built.value) == 1  # the mango committed after the snapshot began
    assert built.fingerprint[0] == 1
    assert Product.objects.published().count() == 2
    assert current() != built.fingerprint  # so the next check rebuilds
