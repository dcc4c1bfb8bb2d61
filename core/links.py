"""Addresses of the site's pages, each worked out once per process, language and prefix.

`reverse()` costs ~27-45 µs (resolver look-up, converters, quoting), and a page asks for many: the home page
links every province twice (its map and its list), ~70 addresses, and every page's header, footer and
breadcrumbs another dozen through `{% url %}` (core/templatetags/links.py). An address depends only on the
view, its arguments, the current app (a namespace's instance), the active language (the /en/ prefix), the
script prefix and the URL configuration, which are all in the key of a bounded cache here; a settings
change (a test's override) empties it. Arguments are keyed with their types: 1, True and "1" are three
keys, as reverse() may write them differently.
"""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

SIZE = 4096


@functools.lru_cache(maxsize=SIZE)
def _reverse(viewname, args, kwargs, current_app, language, prefix, urlconf, root):
    return reverse(
        viewname,
        args=[value for _, value in args] or None,
        kwargs={name: value for name, _, value in kwargs} or None,
        current_app=current_app,
    )


def reversed_url(viewname, args=(), kwargs=None, current_app=None) -> str:
    """`reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)`, remembered; an argument
    that cannot be a key (a list, say) is reversed each time."""
    try:
        keyed_args = tuple((type(value), value) for value in args)
        keyed_kwargs = tuple(sorted((name, type(value), value) for name, value in (kwargs or {}).items()))
        hash((keyed_args, keyed_kwargs))
    except TypeError:
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(
        viewname,
        keyed_args,
        keyed_kwargs,
        current_app,
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        settings.ROOT_URLCONF,
    )


def page_url(viewname, **kwargs) -> str:
    """`reverse(viewname, kwargs=kwargs)` in the current language, remembered."""
    return reversed_url(viewname, kwargs=kwargs)


def _forget(**kwargs):
    _reverse.cache_clear()


setting_changed.connect(_forget, dispatch_uid="core.links.forget")
