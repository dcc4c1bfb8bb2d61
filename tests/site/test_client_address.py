"""The client address: X-Forwarded-For counts only on connections from a configured proxy, and a made-up
session cookie does not skip the page cache (only a real session does)."""

import pytest
from django.test import RequestFactory

from core.http import client_ip
from tests import factories as f


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]


def test_a_forged_header_from_anyone_else_is_ignored(behind_proxy):
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_the_proxy_reports_the_address_it_saw(behind_proxy):
    assert client_ip(_request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"


def test_entries_the_client_wrote_before_the_proxys_are_not_believed(behind_proxy):
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw.
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_a_chain_of_our_own_proxies_is_walked(behind_proxy):
    assert client_ip(_request("::1", "1.2.3.4, 198.51.100.7, 10.1.2.3")) == "198.51.100.7"


def test_garbage_in_the_header_falls_back_to_the_connection(behind_proxy):
    assert client_ip(_request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "")) == "127.0.0.1"


def test_without_proxies_configured_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("127.0.0.1", "198.51.100.7")) == "127.0.0.1"


def test_the_setting_defaults_to_the_local_proxy_behind_tls():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    env = {"DJANGO_SETTINGS_MODULE": "ocop_catalogue.settings.test", "DJANGO_SECURE_SSL": "1", "PATH": "/usr/bin"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "['127.0.0.1', '::1']", out.stderr


@pytest.mark.django_db
def test_a_made_up_session_cookie_does_not_skip_the_page_cache(client, settings):
    settings.CATALOGUE_CACHE = True
    product = f.product()
    assert client.get(product.get_absolute_url())["X-Catalogue-Cache"] == "miss"
    client.cookies[settings.SESSION_COOKIE_NAME] = "made-up-session-key-0123456789abcdef"
    assert client.get(product.get_absolute_url())["X-Catalogue-Cache"] == "hit"


@pytest.mark.django_db
def test_a_real_session_still_skips_it(client, settings, admin_user):
    settings.CATALOGUE_CACHE = True
    product = f.product()
    client.get(product.get_absolute_url())
    client.force_login(admin_user)
    assert "X-Catalogue-Cache" not in client.get(product.get_absolute_url())
