"""Addresses of the site's pages, each worked out once per process, language and prefix.

`reverse()` costs ~27 µs (resolver look-up, converters, quoting), and a page asks for many: the home page
links every province twice (its map and its list), ~70 addresses. An address depends only on the view, its
arguments, the active language (the /en/ prefix), the script prefix and the URL configuration, which are all
in the key of a bounded cache here; a settings change (a test's override) empties it.
"""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

SIZE = 4096


@functools.lru_cache(maxsize=SIZE)
def _reverse(viewname, kwargs, language, prefix, urlconf, root):
    return reverse(viewname, kwargs=dict(kwargs))


def page_url(viewname, **kwargs) -> str:
    """`reverse(viewname, kwargs=kwargs)` in the current language, remembered."""
    key = tuple(sorted(kwargs.items()))
    return _reverse(viewname, key, get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


def _forget(**kwargs):
    _reverse.cache_clear()


setting_changed.connect(_forget, dispatch_uid="core.links.forget")
