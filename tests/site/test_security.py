"""Security headers on every response, no debug page, and production refusing a half-configured start."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path

from ocop_catalogue.urls import urlpatterns as site_urlpatterns
from tests import factories

BASE_DIR = Path(__file__).resolve().parents[2]


def boom(request):
    raise RuntimeError("secret-internal-detail: password=hunter2")


# This module doubles as a URLconf: the real site plus one view that fails (see @pytest.mark.urls).
urlpatterns = [path("boom/", boom), *site_urlpatterns]


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


PAGES = ["/", "/en/", "/products/", "/admin/login/", "/khong-co-trang-nay/", "/healthz"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_the_security_headers(client, url):
    factories.rated_product(stars=5, name="Chè Shan tuyết Mộc Châu")
    client.raise_request_exception = False
    response = client.get(url)
    # Whatever the status (error pages included), the headers are there.
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    # Plain HTTP (no TLS proxy configured): no HSTS, which would lock browsers out of a site without HTTPS.
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_a_404_is_the_site_page_not_the_debug_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "URLconf" not in body
    assert "Traceback" not in body
    assert "DEBUG = True" not in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_exception_gives_the_500_page_without_a_traceback(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body
    assert "secret-internal-detail" not in body
    assert "hunter2" not in body
    assert "RuntimeError" not in body
    # The security headers are on error pages too.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def assert_csp_clean(url, html):
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        data_block = re.search(r'type="application/(ld\+)?json"', tag)
        assert "src=" in tag or data_block, f"inline script on {url}: {tag}"
    assert not re.search(r"<style\b", html, flags=re.IGNORECASE), f"inline <style> on {url}"
    assert not re.search(r"\sstyle=", html, flags=re.IGNORECASE), f"style attribute on {url}"
    assert not re.search(r"\son[a-z]+=", html, flags=re.IGNORECASE), f"inline event handler on {url}"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client):
    """The strict CSP would block them in the browser: catch them here instead, on the home page, the
    admin login and every page the home page links to."""
    factories.rated_product(stars=5)
    client.raise_request_exception = False
    home = client.get("/")
    assert home.status_code == 200
    links = set(re.findall(r'href="(/[^"#?]*)', home.content.decode())) - {"/"}
    checked = 0
    for url in ["/", "/admin/login/", *sorted(links)]:
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert_csp_clean(url, response.content.decode())
            checked += 1
    assert checked >= 2


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.pop("DATABASE_URL", None)
    env.update(DJANGO_TESTING="0", DJANGO_DEBUG="0", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def production(**extra):
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_SECURE_SSL": "1",
        "DJANGO_ALLOWED_HOSTS": "ocop.example.gov.vn",
        **extra,
    }


def test_deploy_check_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_https():
    """The check is real: production settings without DJANGO_SECURE_SSL do not pass it."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production(DJANGO_SECURE_SSL="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "too-short-to-sign-sessions"}, "DJANGO_SECRET_KEY is too short"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(missing, message):
    result = run_manage("check", **production(**missing))
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_have_debug_off_and_secure_cookies():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['upgrade-insecure-requests'])"
    )
    result = run_manage("shell", "-c", code, **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["False", "True", "True", "31536000", "True", "True"]
