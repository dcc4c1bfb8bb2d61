"""Process copies (core/process_copies.py): built once for the site, kept in each process, refreshed after
a write no sooner than max_age, and never an error when the cache is down."""

import itertools
import threading

import pytest
from django.core.cache import caches

from core import cache as catalogue_cache
from core import process_copies
from core.process_copies import ProcessCopy

cache = None


@pytest.fixture(autouse=True)
def _cache_on(settings, monkeypatch):
    """The catalogue cache on, in memory (shared by the threads of this process, as Redis is by processes)."""
    global cache
    settings.CACHES = {**settings.CACHES, "catalogue": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CATALOGUE_CACHE = True
    monkeypatch.setattr(process_copies, "RECHECK_SECONDS", 0)
    cache = caches["catalogue"]
    cache.clear()
    yield
    cache.clear()


def settled(copy, tag=""):
    """The copy once any rebuild under way in its thread is done."""
    if copy.rebuilding is not None:
        copy.rebuilding.join(10)
    return copy.get(tag=tag)


def two_processes(max_age=60):
    """Two copies of one value as two worker processes hold them, and the builds' numbers."""
    numbers = itertools.count(1)
    first = ProcessCopy("test-value", lambda: next(numbers), max_age=max_age)
    second = ProcessCopy("test-value", lambda: next(numbers), max_age=max_age)
    return first, second


def test_built_once_for_every_process():
    first, second = two_processes()
    assert first.get() == 1
    assert first.get() == 1
    assert second.get() == 1  # read from the cache
    assert (first.builds, second.builds) == (1, 0)


def test_a_write_is_followed_once_the_copy_is_max_age_old(monkeypatch):
    first, second = two_processes(max_age=30)
    assert first.get() == second.get() == 1
    catalogue_cache.bump("product:xoai-tron-yen-chau")  # a write to one product: no national version moves
    assert first.get() == 1  # young enough: served after the write
    clock = process_copies.time.time() + 31
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)
    assert first.get() == 1  # old and behind the catalogue: rebuilt in a thread, served meanwhile
    assert settled(first) == 2
    assert second.get() == 2  # the other process loads the new copy
    assert (first.builds, second.builds) == (2, 0)


def test_without_a_write_an_old_copy_stays(monkeypatch):
    first, _second = two_processes(max_age=30)
    assert first.get() == 1
    clock = process_copies.time.time() + 3600
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)
    assert first.get() == 1
    assert first.builds == 1


def test_another_tag_is_another_value():
    first, _second = two_processes()
    assert first.get(tag="2026-12-06") == 1
    assert first.get(tag="2026-12-07") == 2  # never the other day's copy, even while rebuilding
    assert settled(first, tag="2026-12-07") == 2


def test_a_process_serves_its_copy_while_another_builds(monkeypatch):
    first, second = two_processes(max_age=0)
    assert first.get() == second.get() == 1
    catalogue_cache.bump_version()
    cache.add(first.lock_key, 1, 60)  # someone else is building
    assert first.get() == 1
    assert first.builds == 1


def test_without_the_catalogue_cache_every_use_builds(settings):
    settings.CATALOGUE_CACHE = False
    first, _second = two_processes()
    assert [first.get(), first.get()] == [1, 2]


def test_a_cache_outage_keeps_a_copy_in_the_process(monkeypatch, caplog):
    first, _second = two_processes(max_age=30)

    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setattr(catalogue_cache, "_cache", broken)
    assert first.get() == 1
    assert first.get() == 1
    assert first.builds == 1
    assert "Catalogue cache unavailable" in caplog.text


def test_an_old_copy_is_rebuilt_in_the_background_while_it_serves(monkeypatch):
    started, release = threading.Event(), threading.Event()
    numbers = itertools.count(1)

    def slow():
        number = next(numbers)
        if number > 1:
            started.set()
            release.wait(10)
        return number

    copy = ProcessCopy("slow-value", slow, max_age=0)
    assert copy.get() == 1
    catalogue_cache.bump_version()
    assert copy.get() == 1  # the rebuild has begun in a thread; this request does not wait for it
    assert started.wait(10)
    assert copy.get() == 1
    release.set()
    copy.rebuilding.join(10)
    assert copy.get() == 2
    assert not cache.get(copy.lock_key)  # the thread let the lock go


def test_a_slow_build_is_not_repeated_sooner_than_ten_times_its_length_up_to_twice_the_delay():
    first, _second = two_processes(max_age=30)
    first.get()
    first.build_seconds = 0.5
    assert first.max_age == 30
    first.build_seconds = 4.5
    assert first.max_age == 45
    first.build_seconds = 12.0
    assert first.max_age == 60


def test_a_rebuild_ending_leaves_the_lock_free(monkeypatch):
    """A request that takes the lock just as this process's last rebuild ends gives it back."""
    release = threading.Event()
    copy = ProcessCopy("lock-value", lambda: release.wait(10) and 1, max_age=0)
    release.set()
    assert copy.get() == 1
    release.clear()
    catalogue_cache.bump_version()
    copy.get()  # a rebuild starts in a thread, holding the lock
    assert cache.get(copy.lock_key)
    cache.delete(copy.lock_key)  # as its last step does, while the thread is still alive
    copy.checked_at = 0
    copy.get()  # takes the lock, sees the thread still running
    assert not cache.get(copy.lock_key)
    release.set()
    copy.rebuilding.join(10)


@pytest.fixture
def big_copies(monkeypatch, settings, tmp_path):
    """Two processes' copies of a value too big for the cache, shared through files under tmp_path/copies."""
    monkeypatch.setattr(process_copies, "SHARE_LIMIT", 10)
    settings.PROCESS_COPY_DIR = tmp_path / "copies"
    return ProcessCopy("big-value", lambda: "x" * 100), ProcessCopy("big-value", lambda: "y" * 100)


def test_a_copy_too_big_for_the_cache_goes_through_a_file_of_the_host(big_copies, tmp_path):
    first, second = big_copies
    assert first.get() == "x" * 100
    assert cache.get(first.value_key) is None
    assert [p.name for p in (tmp_path / "copies").iterdir()] == ["big-value.pickle"]
    assert second.get() == "x" * 100  # loaded from the file
    assert second.builds == 0


def test_the_arrays_of_a_copy_shared_through_a_file_are_mapped_not_copied(monkeypatch, settings, tmp_path):
    import numpy as np

    monkeypatch.setattr(process_copies, "SHARE_LIMIT", 10)
    settings.PROCESS_COPY_DIR = tmp_path / "copies"
    first = ProcessCopy("big-arrays", lambda: {"rows": np.arange(50_000, dtype=np.int32), "words": "chè\nxoài"})
    second = ProcessCopy("big-arrays", lambda: pytest.fail("built again"))
    built = first.get()
    assert built["rows"].flags.writeable  # the builder's own arrays
    loaded = second.get()
    assert np.array_equal(loaded["rows"], built["rows"]) and loaded["words"] == "chè\nxoài"
    assert not loaded["rows"].flags.writeable and second.builds == 0  # a view of the mapped file


def test_a_copy_in_another_hosts_file_is_built_here(big_copies, tmp_path):
    first, second = big_copies
    assert first.get() == "x" * 100
    (tmp_path / "copies" / "big-value.pickle").unlink()  # as if it were on another host
    assert second.get() == "y" * 100
    assert second.builds == 1


def test_without_waiting_a_process_with_no_copy_gets_none_while_it_is_built():
    release = threading.Event()
    copy = ProcessCopy("first-value", lambda: release.wait(10) and "built")
    assert copy.get(wait=False) is None  # the build runs in a thread; the caller goes its slower way
    assert cache.get(copy.lock_key)
    other = ProcessCopy("first-value", lambda: "other build")
    assert other.get(wait=False) is None  # someone is building: no second build
    release.set()
    copy.rebuilding.join(10)
    assert copy.get(wait=False) == "built"
    assert other.get(wait=False) == "built"  # loaded, not built
    assert other.builds == 0


def test_a_process_behind_serves_the_newest_copy_shared_while_it_rebuilds(monkeypatch):
    """A worker idle since long ago never serves its own copy when another process shared a newer one."""
    first, second = two_processes(max_age=30)
    assert first.get() == second.get() == 1
    clock = [process_copies.time.time()]
    monkeypatch.setattr(process_copies.time, "time", lambda: clock[0])
    catalogue_cache.bump("product:a")
    clock[0] += 31
    assert first.get() == 1
    assert settled(first) == 2  # rebuilt and shared
    catalogue_cache.bump("product:b")
    clock[0] += 31
    cache.add(first.lock_key, 1, 60)  # a third process is building the next one
    assert second.get() == 2  # behind as well, but newer than its own copy 1


def test_with_the_catalogue_cache_off_outside_the_suite_each_process_keeps_its_copy(settings):
    settings.CATALOGUE_CACHE = False
    settings.TESTING = False
    first, _second = two_processes(max_age=30)
    assert [first.get(), first.get()] == [1, 1]


def test_a_copy_of_another_tag_shared_is_never_loaded():
    first, second = two_processes()
    assert first.get(tag="format-1") == 1
    assert second.get(tag="format-2") == 2  # built, not loaded and thrown away
    assert second.builds == 1


def test_an_unreadable_shared_copy_is_built_again():
    first, second = two_processes()
    assert first.get() == 1
    cache.set(first.value_key, b"not a pickle", None)
    assert second.get() == 2


def fingerprinted(rows, max_age=30):
    """Two processes' copies of a value built from `rows` (a list the test changes), with its fingerprint."""
    numbers = itertools.count(1)
    made = [ProcessCopy("test-value", lambda: next(numbers), max_age=max_age, fingerprinter=lambda: tuple(rows))]
    made.append(ProcessCopy("test-value", lambda: next(numbers), max_age=max_age, fingerprinter=lambda: tuple(rows)))
    return made


@pytest.mark.django_db  # a fingerprinted build opens a transaction (one snapshot for both reads)
def test_a_copy_whose_rows_are_unchanged_is_marked_current_instead_of_rebuilt(monkeypatch):
    rows = ["chè", "xoài"]
    first, second = fingerprinted(rows)
    assert first.get() == second.get() == 1
    catalogue_cache.bump("product:xoai-tron-yen-chau")  # a write that changed nothing the value holds
    clock = process_copies.time.time() + 31
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)
    assert first.get() == 1
    assert settled(first) == 1
    assert (first.builds, first.revalidations) == (1, 1)
    cache.delete(first.value_key)  # the other process takes the news from the meta: nothing to load
    assert second.get() == 1
    assert second.builds == 0 and second.held.version == catalogue_cache.change_marker()

    rows.append("cà phê")  # a write that does change them
    catalogue_cache.bump("product:ca-phe-son-la")
    clock += 31
    assert first.get() == 1  # served while rebuilt
    assert settled(first) == 2
    assert second.get() == 2
    assert (first.builds, first.revalidations, second.builds) == (2, 1, 0)


@pytest.mark.django_db
def test_a_fingerprint_that_fails_means_a_rebuild(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database gone")

    numbers = itertools.count(1)
    copy = ProcessCopy("test-value", lambda: next(numbers), max_age=30, fingerprinter=broken)
    assert copy.get() == 1
    catalogue_cache.bump("product:xoai-tron-yen-chau")
    clock = process_copies.time.time() + 31
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)
    copy.get()
    assert settled(copy) == 2
    assert copy.revalidations == 0
    assert "Could not read the fingerprint of test-value" in caplog.text


@pytest.mark.django_db
def test_a_process_that_loads_a_copy_found_current_again_takes_the_metas_version(monkeypatch):
    rows = ["chè"]
    first, _second = fingerprinted(rows)
    assert first.get() == 1
    catalogue_cache.bump("product:che-shan-tuyet")
    clock = process_copies.time.time() + 31
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)
    first.get()
    assert settled(first) == 1 and first.revalidations == 1
    newcomer = ProcessCopy("test-value", lambda: 99, max_age=30)  # a worker started since: loads the stored copy
    assert newcomer.get() == 1
    assert newcomer.held.version == catalogue_cache.change_marker() and not newcomer.behind
    assert newcomer.builds == 0


@pytest.mark.django_db
def test_a_copy_found_current_again_after_the_cache_lost_it_is_shared_whole(monkeypatch):
    """Redis restarted (or evicted the copy): the process that finds its copy current again stores it whole,
    so a worker started since loads it instead of building its own."""
    rows = ["chè"]
    first, _second = fingerprinted(rows)
    assert first.get() == 1
    cache.clear()  # the restart: the meta, the value and the change marker are gone
    clock = process_copies.time.time() + 31
    monkeypatch.setattr(process_copies.time, "time", lambda: clock)
    first.get()
    assert settled(first) == 1 and (first.builds, first.revalidations) == (1, 1)
    assert cache.get(first.meta_key)[0] == first.held.token and cache.get(first.value_key) is not None
    newcomer = ProcessCopy("test-value", lambda: 99, max_age=30)
    assert newcomer.get() == 1 and newcomer.builds == 0
    assert newcomer.held.version == catalogue_cache.change_marker() and not newcomer.behind


@pytest.mark.django_db
def test_after_a_restart_a_process_checks_the_hosts_file_before_building(monkeypatch, settings, tmp_path):
    """The workers and the cache restarted (a deploy, Redis): a process without a copy takes the one this host's
    file holds when its fingerprint shows the rows unchanged, instead of building one (17 s at 1,000,000
    products); the file is not written again, and the meta names it for the other processes."""
    monkeypatch.setattr(process_copies, "SHARE_LIMIT", 10)
    settings.PROCESS_COPY_DIR = tmp_path / "copies"
    rows = ["chè", "xoài"]
    numbers = itertools.count(1)

    def worker():
        return ProcessCopy("big-value", lambda: f"built {next(numbers)}", max_age=30, fingerprinter=lambda: tuple(rows))

    assert worker().get() == "built 1"
    written = (tmp_path / "copies" / "big-value.pickle").stat().st_mtime_ns
    cache.clear()  # the restart
    restarted = worker()
    assert restarted.get() == "built 1"
    assert (restarted.builds, restarted.revalidations) == (0, 1)
    assert (tmp_path / "copies" / "big-value.pickle").stat().st_mtime_ns == written
    other = worker()
    assert other.get() == "built 1" and other.builds == 0 and not other.behind  # through the meta, current

    rows.append("cà phê")  # changed while the site was down: built
    cache.clear()
    again = worker()
    assert again.get() == "built 2" and (again.builds, again.revalidations) == (1, 0)


@pytest.mark.django_db
def test_the_hosts_file_of_another_day_is_not_taken(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(process_copies, "SHARE_LIMIT", 10)
    settings.PROCESS_COPY_DIR = tmp_path / "copies"
    first = ProcessCopy("big-value", lambda: "yesterday's", fingerprinter=lambda: ("same rows",))
    assert first.get(tag="2026-12-06") == "yesterday's"
    cache.clear()
    today = ProcessCopy("big-value", lambda: "today's", fingerprinter=lambda: ("same rows",))
    assert today.get(tag="2026-12-07") == "today's" and today.builds == 1
