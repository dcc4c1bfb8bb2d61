"""The catalogue version: every committed write bumps it, so cached fragments are never stale."""

import pytest
from django.core.management import call_command

from ocop_catalogue import cache
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.CATALOGUE_CACHE = True


def test_a_committed_write_bumps_the_version(django_capture_on_commit_callbacks):
    before = cache.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        product = f.product(name="Chè Tân Cương")
    assert cache.current_version() > before
    middle = cache.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Chè Tân Cương đặc biệt"
        product.save()
    assert cache.current_version() > middle


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

    assert cache.get_or_build("facets", ("q",), build) == 1
    assert cache.get_or_build("facets", ("q",), build) == 1  # cached
    with django_capture_on_commit_callbacks(execute=True):
        f.product()
    assert cache.get_or_build("facets", ("q",), build) == 2


def test_a_lost_version_key_starts_a_new_higher_series():
    cache.bump_version()
    old = cache.current_version()
    cache._cache().delete(cache.VERSION_KEY)
    cache.bump_version()
    assert cache.current_version() != old


def test_bulk_commands_bump_the_version():
    before = cache.current_version()
    call_command("seed_synthetic", "--products", "10", "--no-progress", verbosity=0)
    assert cache.current_version() > before
