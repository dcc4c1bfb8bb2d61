"""While the database cannot be reached, visitors get a calm 503 page: no traceback, no detail, a
Retry-After, the security headers and the request id. Exercised through the real middleware stack with
a database that really refuses connections (a PostgreSQL port where nothing listens), to which a
router sends every query."""

import logging

import pytest
from django.db import OperationalError, connections
from django.urls import path

from ocop_catalogue.urls import urlpatterns as site_urlpatterns
from tests.site.prodserver import add_database_alias

DEAD = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "ocop_prod_down",
    "USER": "postgres",
    "HOST": "127.0.0.1",
    "PORT": "1",
    "OPTIONS": {"connect_timeout": 2},
}


class EverythingToTheDeadDatabase:
    def db_for_read(self, model, **hints):
        return "dead"

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return True


def remember_me(request):
    """A view that touches no table itself: only the session middleware's save, after it, needs the database."""
    from django.http import HttpResponse

    request.session["shortlist"] = [1, 2, 3]
    return HttpResponse("ok")


urlpatterns = [path("remember-me/", remember_me), *site_urlpatterns]


@pytest.fixture
def database_down(settings, django_db_setup, django_db_blocker):
    """Every query goes to a PostgreSQL that is not running. Outside Django's TestCase, whose guard
    would refuse the extra alias before it ever tried to connect."""
    django_db_blocker.unblock()
    remove = add_database_alias("dead", DEAD)
    settings.DATABASE_ROUTERS = [f"{__name__}.EverythingToTheDeadDatabase"]
    with pytest.raises(OperationalError):
        connections["dead"].ensure_connection()
    yield
    settings.DATABASE_ROUTERS = []
    remove()
    django_db_blocker.restore()


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) == 32
    body = response.content.decode()
    for leak in ("Traceback", "OperationalError", "psycopg2", "127.0.0.1", "connection refused", "ocop_prod_down"):
        assert leak.lower() not in body.lower()
    return body


@pytest.mark.parametrize(
    "url", ["/", "/en/", "/provinces/son-la/", "/products/che-shan-tuyet/", "/producers/htx-moc-chau/"]
)
def test_pages_answer_a_friendly_503_while_the_database_is_down(client, database_down, url):
    client.raise_request_exception = False
    body = assert_friendly_503(client.get(url))
    assert "<h1>" in body
    if url.startswith("/en/"):
        assert '<html lang="en">' in body
        assert "The catalogue is temporarily unavailable" in body
    else:
        assert "Hệ thống đang tạm thời gián đoạn" in body
        assert '<html lang="vi">' in body


def test_json_clients_get_json(client, database_down):
    response = client.get("/", headers={"Accept": "application/json"})
    assert_friendly_503(response)
    assert response.json() == {"status": "unavailable", "retry_after": 15}


def test_staff_login_answers_503_not_500(client, database_down):
    response = client.post("/admin/login/?next=/admin/", {"username": "staff", "password": "x" * 12})
    assert_friendly_503(response)


@pytest.mark.urls(__name__)
def test_a_failure_inside_the_session_middleware_answers_503(client, database_down):
    """The session is saved after the view, by middleware: the error never reaches process_exception."""
    client.raise_request_exception = False
    assert_friendly_503(client.get("/remember-me/"))


def test_the_log_has_the_detail_the_visitor_does_not_see(client, database_down, caplog):
    with caplog.at_level(logging.WARNING, logger="ocop_catalogue.unavailable"):
        response = client.get("/", headers={"X-Request-ID": "probe-503"})
    assert response.status_code == 503
    assert response["X-Request-ID"] == "probe-503"
    [record] = [r for r in caplog.records if r.name == "ocop_catalogue.unavailable"]
    assert record.request_id == "probe-503"
    assert record.path == "/"
    assert "OperationalError" in record.getMessage()
    assert record.exc_info is None  # one line, no traceback per request while the database is down


@pytest.mark.django_db
def test_other_errors_are_not_disguised_as_503(client):
    """Only "the service is not answering" becomes a 503; a missing page stays a 404."""
    assert client.get("/products/khong-co-san-pham-nay/").status_code == 404
