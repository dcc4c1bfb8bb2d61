"""HTTP helpers shared by the apps."""

import ipaddress
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseForbidden
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _ip(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    ip = _ip(address or "")
    return ip is not None and any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request):
    """The visitor's address, for login throttling and the enquiry limits.

    X-Forwarded-For is believed only when the connection itself comes from one of our proxies
    (TRUSTED_PROXIES, from DJANGO_TRUSTED_PROXIES): anyone else can write that header. Read from the right,
    the first entry that is not one of our proxies is the address our outermost proxy saw; the entries
    left of it come from the client and could be forged.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for entry in reversed(forwarded):
        if _ip(entry) is None:
            break  # a malformed entry: nothing to its left can be trusted either
        if not is_trusted_proxy(entry):
            return str(_ip(entry))
    return remote


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def from_this_site(request) -> bool:
    """Whether a POST comes from this site's own pages, as far as the browser says: Sec-Fetch-Site, else
    Origin, else Referer; a request that sends none of them (an old browser, a script) is not a forgery
    a browser could be tricked into."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    ours = {f"{request.scheme}://{request.get_host()}".lower(), *(o.lower() for o in settings.CSRF_TRUSTED_ORIGINS)}
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value:
            return _origin_of(value) in ours
    return True


def same_site_post(view):
    """For POSTs that change nothing but the visitor's own anonymous state (the shortlist): no CSRF token,
    so that the public pages holding their buttons carry nothing of one visitor and can be cached by
    anyone; a POST another site makes the browser send is refused all the same (403). The session
    cookie is SameSite=Lax, so such a POST would not even reach the visitor's session."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not from_this_site(request):
            return HttpResponseForbidden(
                _("Yêu cầu này không đến từ trang của chúng tôi."), content_type="text/plain; charset=utf-8"
            )
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)
