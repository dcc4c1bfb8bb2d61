import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    from core.validity import today

    return today()


@pytest.fixture(autouse=True)
def _no_process_copies():
    """Values kept in the process (the search index) are built from each test's own rows."""
    from core.process_copies import forget_all
    from products.search_index import PUBLISHED

    forget_all()
    PUBLISHED.background = False  # built in the test's thread, over the test's own transaction
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /en/ leaves English active in the test's thread: put Vietnamese back after each test."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(config, items):
    """Refuse a transactional test without serialized_rollback.

    Its teardown flushes the database and re-runs post_migrate, which recreates the content types under new
    ids; every later serialized_rollback test (browser, backup, multihost) then fails to restore the
    migrations' rows with a duplicate key. Failing at collection names the test instead.
    """
    from pytest_django.fixtures import validate_django_db

    offenders = []
    for item in items:
        # pytest-django's own rule (fixtures.py, _django_db_helper) for what runs as a transactional test.
        fixtures = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, _databases, serialized_rollback, _apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        transactional = transaction or reset_sequences or "transactional_db" in fixtures or "live_server" in fixtures
        serialized = serialized_rollback or "django_db_serialized_rollback" in fixtures
        if transactional and not serialized:
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "These tests are transactional (django_db(transaction=True), transactional_db or live_server) "
            "without serialized_rollback=True, which breaks "
            "the serialized_rollback tests that run after them:\n  " + "\n  ".join(offenders)
        )
