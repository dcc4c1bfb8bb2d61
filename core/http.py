"""HTTP helpers shared by the apps."""

import ipaddress
from functools import lru_cache

from django.conf import settings


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
