"""HTTP helpers shared by the apps."""

from django.conf import settings


def client_ip(request):
    """The visitor's address for login throttling.

    Behind the TLS proxy (DJANGO_SECURE_SSL) the right-most X-Forwarded-For entry is the one our proxy
    wrote; the entries before it come from the client and could be forged.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
