"""`make serve` for real (scripts/serve.sh: migrate, collectstatic, gunicorn) with production settings
behind a TLS proxy: headers, HSTS and secure cookies, no debug page, hashed compressed static files with
far-future caching, JSON access lines with the request id."""

import gzip
import json
import os
import re
import subprocess
import time

import pytest

from tests import workers
from tests.site.prodserver import BASE_DIR, ProdServer, production_env

PORT = workers.port(8104)
HTTPS = {"X-Forwarded-Proto": "https"}  # what the reverse proxy adds after terminating TLS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SECURE_SSL="1",
        DJANGO_LOG_JSON="1",
    )
    server = ProdServer(PORT, env, tmp_path / "logs").start()
    yield server
    server.stop()


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(server):
    response = server.get("/products/?q=che")
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/products/?q=che"
    health = server.get("/healthz")
    assert health.status == 200
    checks = json.loads(health.body)["checks"]
    assert checks["database"] == checks["cache"] == "ok"
    assert set(checks.values()) == {"ok"}


def test_https_pages_carry_hsts_and_the_strict_policy(server):
    response = server.get("/", headers=HTTPS)
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "upgrade-insecure-requests" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_cookies_are_secure_behind_https(server):
    response = server.get("/admin/login/", headers=HTTPS)
    assert response.status == 200
    cookies = response.headers.get_all("Set-Cookie")
    [csrf] = [c for c in cookies if c.startswith("csrftoken=")]
    assert "Secure" in csrf
    assert "SameSite=Lax" in csrf


def test_no_debug_page_in_production(server):
    response = server.get("/khong-co-trang-nay/", headers=HTTPS)
    assert response.status == 404
    for debug_text in ("URLconf", "Traceback", "DEBUG = True", "Django tried these URL patterns"):
        assert debug_text not in response.text
    assert "Content-Security-Policy" in response.headers


def test_static_files_are_hashed_compressed_and_cached_for_a_year(server):
    home = server.get("/", headers=HTTPS).text
    [css] = re.findall(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home)
    response = server.get(css, headers=HTTPS)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    # A large file (the admin's stylesheet) is served gzipped to a browser that accepts it.
    admin = server.get("/admin/login/", headers=HTTPS).text
    [admin_css] = re.findall(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', admin)
    plain = server.get(admin_css, headers=HTTPS)
    zipped = server.get(admin_css, headers={**HTTPS, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(zipped.body) < len(plain.body) / 2
    assert gzip.decompress(zipped.body) == plain.body
    assert "immutable" in zipped.headers["Cache-Control"]


def test_access_lines_are_json_with_the_request_id(server):
    response = server.get("/robots.txt", headers={**HTTPS, "X-Request-ID": "lb-7f3a"})
    assert response.headers["X-Request-ID"] == "lb-7f3a"
    matching = []
    for _ in range(50):  # written before the response is sent, but read through another handle
        matching = [entry for entry in server.access_lines() if entry["request_id"] == "lb-7f3a"]
        if matching:
            break
        time.sleep(0.1)
    assert len(matching) == 1, server.stdout_path.read_text()
    [line] = matching
    assert line["logger"] == "ocop_catalogue.request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/robots.txt", 200)
    assert line["bytes"] == len(response.body)


def gunicorn_config(**env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.pop("PORT", None)
    env.update(DJANGO_TESTING="1", **env_overrides)
    gunicorn = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
    result = subprocess.run(
        [gunicorn, "-c", "gunicorn.conf.py", "--print-config", "ocop_catalogue.wsgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, flags=re.MULTILINE))


def test_gunicorn_configuration():
    config = gunicorn_config()
    assert config["workers"] == str(os.cpu_count() * 2 + 1)
    assert config["bind"] == "['127.0.0.1:8000']"
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == ("30", "30", "5")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("2000", "200")
    assert config["accesslog"] == "None"  # the application's own line is the access log
    assert "rid=%({x-request-id}o)s" in config["access_log_format"]
    tuned = gunicorn_config(PORT="8104", GUNICORN_WORKERS="9", GUNICORN_ACCESSLOG="-", GUNICORN_TIMEOUT="60")
    tuned_values = (tuned["bind"], tuned["workers"], tuned["accesslog"], tuned["timeout"])
    assert tuned_values == ("['127.0.0.1:8104']", "9", "-", "60")
