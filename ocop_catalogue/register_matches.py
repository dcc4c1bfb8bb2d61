"""A search with no product is not a dead end: the certificate register's titles (GIs and marks) that
bear the name searched for, so that "xoài Yên Châu" finds the GI "Yên Châu" even while no product of
the catalogue carries it, and the province to ask about it.
"""

from django.db.models import Count, Q

from certifications.models import Certificate
from core.text import fold_vietnamese
from core.validity import CertificateKind
from products.models import search_words

LIMIT = 6


def register_matches(query):
    """Non-OCOP certificates whose name (title, product name, province) holds every word searched for,
    or whose title is all in the search; each with `product_count`, its published products."""
    words = search_words(query)
    if not words:
        return []
    certificates = (
        Certificate.objects.exclude(kind=CertificateKind.OCOP)
        .select_related("province")
        .annotate(product_count=Count("entries", filter=Q(entries__product__is_published=True)))
        .order_by("kind", "title")
    )
    folded_query = f" {' '.join(words)} "
    found = []
    for certificate in certificates:
        title = fold_vietnamese(certificate.title)
        text = fold_vietnamese(
            " ".join(
                [certificate.title, certificate.product_name, certificate.province.name if certificate.province else ""]
            )
        )
        if all(word in text for word in words) or (title and f" {title} " in folded_query):
            found.append(certificate)
        if len(found) == LIMIT:
            break
    return found
