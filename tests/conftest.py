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
