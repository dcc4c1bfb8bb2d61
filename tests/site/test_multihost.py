"""Several app hosts: two gunicorn servers (scripts/serve.sh, production settings) on one PostgreSQL
database and one Redis (cache and sessions), as behind a load balancer. What one host saves, the other
serves at once; a staff member's session opened on one host works on the other."""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings

from tests import factories, workers
from tests.site.prodserver import BASE_DIR, ProdServer, production_env

HOST_PORTS = (workers.port(8105), workers.port(8106))
REDIS_URL = f"redis://127.0.0.1:6379/{workers.redis_db(6)}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: one cookie jar for 127.0.0.1, whichever host (port) the balancer sends it to."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, port, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(f"http://127.0.0.1:{port}{path}", data=data, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            return error.code, error.headers, error.read().decode()

    def csrf_token(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def log_in(self, form_port, post_port, username, password):
        _, _, html = self.open(form_port, "/admin/login/?next=/admin/")
        form = {"csrfmiddlewaretoken": self.csrf_token(html), "username": username, "password": password}
        form["next"] = "/admin/"
        return self.open(post_port, "/admin/login/?next=/admin/", form)


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def host_caches():
    """CACHES exactly as an app host with CACHE_URL computes it (settings.py read in a fresh process)."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.CACHES))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DJANGO_TESTING="1", CACHE_URL=REDIS_URL)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture
def two_hosts(settings, tmp_path, shared_redis):
    if not settings.USING_POSTGRES:
        pytest.skip("several app hosts share a PostgreSQL database: CI's PostgreSQL pass runs this test")
    # This test process writes through the ORM like a third host (or a management command on one):
    # it must use the hosts' shared caches, or whatever it invalidates would be invalidated elsewhere.
    settings.CACHES = host_caches()
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # Same secret key on every host (it signs sessions and password-reset links); own static folders.
    common = production_env(tmp_path, DATABASE_URL=database_url, CACHE_URL=REDIS_URL)
    # Pages over the whole catalogue (and the facet counts every list shares) live this long.
    common["DJANGO_CATALOGUE_NATIONAL_SECONDS"] = str(NATIONAL_SECONDS)
    servers = []
    try:
        for index, port in enumerate(HOST_PORTS):
            env = {**common, "DJANGO_STATIC_ROOT": str(tmp_path / f"static-{port}")}
            if index:
                env["SERVE_MIGRATE"] = "0"  # one host migrates, the others only serve
            servers.append(ProdServer(port, env, tmp_path / "logs").start())
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_saved_on_one_host_is_served_at_once_by_the_other(two_hosts):
    host_a, host_b = two_hosts
    product = factories.rated_product(stars=5, name="Chè Shan tuyết cổ thụ Tà Xùa")
    # The pages that show this product by name and that its write names (core/cache.py scopes); the home
    # page and national lists follow within CATALOGUE_NATIONAL_SECONDS instead.
    paths = (product.get_absolute_url(), "/provinces/son-la/", "/products/?province=son-la")
    for host in (host_a, host_b):
        for path in paths:
            page = host.get(path)
            assert page.status == 200
            assert "Chè Shan tuyết cổ thụ Tà Xùa" in page.text
            assert host.get(path).headers.get("X-Catalogue-Cache") == "hit", path

    product.name = "Chè Shan tuyết Tà Xùa (đã đổi tên)"
    product.save()
    for host in (host_b, host_a):
        for path in paths:
            text = host.get(path).text
            assert "Chè Shan tuyết Tà Xùa (đã đổi tên)" in text, path
            assert "Chè Shan tuyết cổ thụ Tà Xùa" not in text, path


NATIONAL_SECONDS = 3


def eventually(check, seconds=NATIONAL_SECONDS + 10):
    """check() becomes true within `seconds`: how long the site promises, plus slack for a busy machine."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def result_count(html):
    return int(re.search(r'id="result-count">\s*(\d+)', html).group(1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_filtered_lists_searches_and_facets_follow_a_write_made_elsewhere(two_hosts):
    """The facet cube, the facet counts and the lists are cached in Redis; a list's counts are over the
    whole catalogue, shared by every list: a write through another process (here the test's ORM, like a
    third host or a command) shows on both hosts within CATALOGUE_NATIONAL_SECONDS, whatever the list."""
    host_a, host_b = two_hosts
    first = factories.rated_product(stars=5, name="Xoài tròn Yên Châu loại một")
    paths = ("/products/?stars=5", "/products/?q=xoai+tron", "/products/?stars=5&sort=name&cert=ocop&province=son-la")
    for host in (host_a, host_b):
        for path in paths:
            page = host.get(path)
            assert page.status == 200, path
            assert result_count(page.text) == 1, (host.port, path)
            assert host.get(path).headers.get("X-Catalogue-Cache") == "hit", path  # now cached

    second = factories.rated_product(stars=5, name="Xoài tròn Yên Châu loại hai")
    for host in (host_b, host_a):
        for path in paths:
            assert eventually(lambda h=host, p=path: result_count(h.get(p).text) == 2), (host.port, path)
            assert second.name in host.get(path).text

    first.entries.get().delete()  # its only rating is withdrawn: no longer 5 stars
    for host in (host_a, host_b):
        assert eventually(lambda h=host: result_count(h.get(paths[0]).text) == 1)
        assert first.name not in host.get(paths[0]).text
        # Still found by name, without stars (a search follows writes within the same delay as the lists).
        assert eventually(lambda h=host: result_count(h.get(paths[1]).text) == 2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_staff_session_works_on_every_host(two_hosts, shared_redis):
    port_a, port_b = (server.port for server in two_hosts)
    # Hashed the way the hosts (production settings) check it, not with the suite's fast test hasher.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        get_user_model().objects.create_superuser("ops", "ops@example.gov.vn", "mật-khẩu-cũ-đủ-dài")

    staff = Browser()
    # The form comes from host A, the login is posted to host B: CSRF and sessions are shared.
    status, headers, _ = staff.log_in(port_a, port_b, "ops", "mật-khẩu-cũ-đủ-dài")
    assert status == 302
    assert headers["Location"] == "/admin/"
    for port in (port_a, port_b):
        status, _, html = staff.open(port, "/admin/")
        assert status == 200
        assert "/admin/logout/" in html
    # The session lives in Redis (with the database behind it), where every host finds it.
    assert shared_redis.keys("*django.contrib.sessions.cached_db*")

    # A change saved through host A (the password), then used on host B.
    _, _, html = staff.open(port_a, "/admin/password_change/")
    form = {
        "csrfmiddlewaretoken": staff.csrf_token(html),
        "old_password": "mật-khẩu-cũ-đủ-dài",
        "new_password1": "mật-khẩu-mới-thật-dài-2025",
        "new_password2": "mật-khẩu-mới-thật-dài-2025",
    }
    status, headers, _ = staff.open(port_a, "/admin/password_change/", form)
    assert status == 302
    assert headers["Location"] == "/admin/password_change/done/"
    assert staff.open(port_b, "/admin/")[0] == 200  # still logged in on B after the change on A

    assert Browser().log_in(port_b, port_b, "ops", "mật-khẩu-cũ-đủ-dài")[0] == 200  # the form again: refused
    assert Browser().log_in(port_b, port_b, "ops", "mật-khẩu-mới-thật-dài-2025")[0] == 302

    # Logging out on B ends the session on A too.
    _, _, html = staff.open(port_b, "/admin/")
    staff.open(port_b, "/admin/logout/", {"csrfmiddlewaretoken": staff.csrf_token(html)})
    status, headers, _ = staff.open(port_a, "/admin/")
    assert status == 302
    assert headers["Location"].startswith("/admin/login/")


def test_settings_for_several_hosts():
    """With CACHE_URL set, every cache is the shared Redis, which answers within 0.25 s or fails, and
    sessions are kept in the database with a copy in the cache (core.sessions)."""
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DJANGO_TESTING="1", CACHE_URL=REDIS_URL)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "core.sessions"
    caches = host_caches()
    for config in caches.values():
        assert config["BACKEND"] == "core.redis_cache.RedisCache"  # Django's, reusing its client
        assert config["LOCATION"] == REDIS_URL
        assert config["OPTIONS"] == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
