"""Whole public pages, cached in the shared cache and by HTTP caches (browsers, the nginx micro-cache, a CDN).

`cache_public_page` (a view decorator) does three things for GET and HEAD:

* It rewrites the query string to its canonical form before the view sees it (parameters sorted,
  empty and repeated values and the trackers newsletters add dropped, `page=02` read as `page=2`
  and `page=1` as no page), so `?utm_source=x` or `?page=01` is the same page, built and stored once, as
  the plain URL.
* For a visitor without a session, it serves the page from the shared cache under its scopes (see
  core/cache.py): `scopes(request, *args, **kwargs)` names what the page shows, or returns nothing for a
  page over the whole catalogue.
* It marks the response for `PublicPageMiddleware`, which (outside the session, language and CSRF
  middleware, so that it sees everything they add) makes it public when nothing about it belongs to one
  visitor: `Cache-Control: public` with a short max-age and stale-while-revalidate, an ETag, and 304 for a
  matching If-None-Match. A response that sets a cookie, or a visitor with a session, gets
  `private, no-cache` instead: staff and buyers with a shortlist always get their own fresh pages.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import get_language

from . import cache, validity
from .filters import SILENTLY_IGNORED

_POLICY = "_catalogue_http_policy"
# A response attribute: at most this many seconds in the shared page cache.
KEEP_AT_MOST = "catalogue_keep_at_most"
_PRIVATE = "private"
SAFE_METHODS = ("GET", "HEAD")


def canonical_query(query: QueryDict) -> QueryDict:
    """The query with what cannot change the page taken out: trackers, empty values, repeated values,
    the order of the parameters, and the leading zeros (or the 1) of `page`."""
    canonical = QueryDict(mutable=True)
    for name in sorted(query):
        if SILENTLY_IGNORED.match(name):
            continue
        # Values keep their order: where a page reads one value, it reads the first.
        values = list(dict.fromkeys(value for value in query.getlist(name) if value.strip()))
        if name == "page":
            values = [str(int(value)) if value.isascii() and value.isdigit() else value for value in values]
            values = [value for value in values if value != "1"]
        if values:
            canonical.setlist(name, values)
    canonical._mutable = False
    return canonical


def _canonicalise(request):
    canonical = canonical_query(request.GET)
    query_string = canonical.urlencode()
    if query_string != request.META.get("QUERY_STRING", ""):
        request.GET = canonical
        request.META["QUERY_STRING"] = query_string


def _page_parts(request):
    # Host and scheme too: pages embed absolute URLs (canonical, OpenGraph, JSON-LD). The day too:
    # statuses change at midnight.
    return (request.scheme, request.get_host(), request.get_full_path(), get_language(), validity.today().isoformat())


def _shareable(request, response) -> bool:
    """Whether the response is the same for every visitor: a 200 that sets no cookie, changes no session
    and holds no CSRF token (a page with a form is the visitor's own)."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (session is not None and session.modified)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _serve(request, view, args, kwargs, scopes, national):
    """The page from the shared cache, or built and stored there."""
    try:
        # The scopes' versions and the page in one round trip; the page is kept with the versions it was
        # built under and served only while they are current.
        key, stamp, cached = cache.get_stamped("page", _page_parts(request), scopes)
    except Exception:  # noqa: BLE001 (logged by _warn); a cache outage degrades to uncached pages
        cache._warn("Page cache unavailable")
        return view(request, *args, **kwargs)
    if cached is not None:
        content, content_type = cached
        response = HttpResponse(content, content_type=content_type)
        response["X-Catalogue-Cache"] = "hit"
        return response
    response = view(request, *args, **kwargs)
    if _shareable(request, response):
        if hasattr(response, "render") and callable(response.render):
            response.render()
        try:
            timeout = cache.timeout_for(scopes, cache.PAGE_TIMEOUT, national)
            # A page built from a copy behind the catalogue (the search index) lives no longer than it.
            timeout = min(timeout, getattr(response, KEEP_AT_MOST, timeout))
            if timeout >= 1:
                cache.set_stamped(key, stamp, (response.content, response["Content-Type"]), int(timeout))
            response["X-Catalogue-Cache"] = "miss"
        except Exception:  # noqa: BLE001 (logged by _warn)
            cache._warn("Page cache unavailable")
    return response


def cache_public_page(view=None, *, scopes=None, national=False):
    """Decorate a public view (see the module's docstring): `@cache_public_page` for a page over the
    whole catalogue, `@cache_public_page(scopes=function)` for one whose scopes name all it shows.
    `national=True`: the page also shows figures over the whole catalogue (a list's facet counts), so
    its entry lives no longer than a national one even when writes in its scopes replace it at once."""
    if view is None:
        return lambda view: cache_public_page(view, scopes=scopes, national=national)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        _canonicalise(request)
        if cache.has_session(request):
            response = view(request, *args, **kwargs)
            setattr(response, _POLICY, _PRIVATE)
            return response
        page_scopes = tuple(scopes(request, *args, **kwargs)) if scopes else ()
        bounded = national or not page_scopes
        if cache.enabled() and settings.CATALOGUE_PAGE_CACHE:
            response = _serve(request, view, args, kwargs, page_scopes, bounded)
        else:
            response = view(request, *args, **kwargs)
        setattr(response, _POLICY, _max_age(bounded))
        return response

    return wrapper


def _max_age(national):
    """(max-age, stale-while-revalidate): short for a page of one object, whose shared-cache entry a
    write replaces at once; longer for a page over the whole catalogue, which follows writes within
    CATALOGUE_NATIONAL_SECONDS anyway."""
    if national:
        return settings.CATALOGUE_HTTP_NATIONAL_MAX_AGE, settings.CATALOGUE_HTTP_STALE
    return settings.CATALOGUE_HTTP_MAX_AGE, settings.CATALOGUE_HTTP_STALE


def _drop_vary(response, header):
    values = [value.strip() for value in response.get("Vary", "").split(",") if value.strip()]
    kept = [value for value in values if value.lower() != header.lower()]
    if kept:
        response["Vary"] = ", ".join(kept)
    elif "Vary" in response:
        del response["Vary"]


class PublicPageMiddleware:
    """Gives the pages `cache_public_page` marked their HTTP caching headers, once every inner middleware
    has added its cookies and Vary headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with cache.versions_read_once():
            response = self.get_response(request)
        policy = getattr(response, _POLICY, None)
        if policy is None:
            return response
        if policy == _PRIVATE or not _shareable(request, response):
            response["Cache-Control"] = "private, no-cache"
            return response
        max_age, stale = policy
        response["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={stale}"
        # The language comes from the path (/en/…), never from Accept-Language: one copy per URL. A
        # visitor who gets a session (a shortlist) must not be shown their browser's anonymous copy.
        _drop_vary(response, "Accept-Language")
        patch_vary_headers(response, ("Cookie",))
        set_response_etag(response)
        return get_conditional_response(request, etag=response.get("ETag"), response=response)
