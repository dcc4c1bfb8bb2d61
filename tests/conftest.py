import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    from ocop_catalogue.validity import today

    return today()


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
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None:
            continue
        transactional = marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        serialized = marker.kwargs.get("serialized_rollback", marker.args[3] if len(marker.args) > 3 else False)
        uses_fixture = "transactional_db" in getattr(item, "fixturenames", ())
        if (transactional or uses_fixture) and not serialized:
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "These tests use django_db(transaction=True) without serialized_rollback=True, which breaks "
            "the serialized_rollback tests that run after them:\n  " + "\n  ".join(offenders)
        )
