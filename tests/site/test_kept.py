"""Pieces of the page shell kept per process (core/templatetags/kept.py) and static addresses worked
out once (core/static_files.py) give exactly what rendering them afresh gives."""

import json

import pytest
from django.template import engines
from django.test import RequestFactory, override_settings
from django.urls import resolve
from django.utils import translation

from core.static_files import StaticFilesStorage
from core.templatetags import kept

SHELL = '{% include "includes/header.html" %}{% include "includes/footer.html" %}'
PAGES = ["/", "/products/", "/provinces/", "/producers/", "/certificates/verify/", "/shortlist/"]


def _render(path, language):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    request.session = {}
    with translation.override(language):
        return engines["django"].from_string(SHELL).render({"vi_url": "/vi-x", "en_url": "/en-x"}, request)


@pytest.fixture
def fresh():
    """What each page's shell is rendered afresh (DEBUG keeps nothing)."""
    with override_settings(DEBUG=True):
        return {(path, lang): _render(path, lang) for path in PAGES for lang in ("vi", "en")}


@pytest.mark.django_db
def test_kept_shells_are_what_a_fresh_render_gives(fresh):
    kept.forget_all()
    for _round in range(2):  # the first round keeps, the second reads what was kept
        for (path, language), expected in fresh.items():
            assert _render(path, language) == expected, (path, language)
    assert kept._KEPT, "nothing was kept"
    assert 'href="/products/" aria-current="page"' in fresh[("/products/", "vi")]
    assert 'href="/en/provinces/" aria-current="page"' in fresh[("/provinces/", "en")]
    assert 'aria-current="page"' not in fresh[("/", "vi")].split("shortlist")[0]


@pytest.mark.django_db
def test_what_varies_per_page_is_never_kept():
    kept.forget_all()
    first = _render("/products/", "vi")
    request = RequestFactory().get("/products/")
    request.resolver_match = resolve("/products/")
    request.session = {"shortlist": [1, 2]}
    with translation.override("vi"):
        other = engines["django"].from_string(SHELL).render({"vi_url": "/a", "en_url": "/b"}, request)
    assert 'href="/vi-x"' in first and 'href="/a"' in other and 'href="/b"' in other
    assert "badge-count" in other and "badge-count" not in first


def test_nothing_more_is_kept_past_the_bound():
    kept.forget_all()
    template = engines["django"].from_string("{% load kept %}{% kept 'x' n %}{{ n }}{% endkept %}")
    for n in range(kept.MAX_KEPT + 20):
        assert template.render({"n": n}) == str(n)
    assert len(kept._KEPT) == kept.MAX_KEPT


def test_a_static_address_is_worked_out_once(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "x", "paths": {"css/site.css": "css/site.0123abcd.css"}})
    )
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    storage.hashed_files["css/site.css"] = "css/site.changed.css"  # not read again
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    with pytest.raises(ValueError):
        storage.url("css/missing.css")  # an unknown name still fails, every time
    with pytest.raises(ValueError):
        storage.url("css/missing.css")
