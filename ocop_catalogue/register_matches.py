"""A search with no product is not a dead end: the certificate register's titles (GIs and marks) that
bear the name searched for, so that "xoài Yên Châu" finds the GI "Yên Châu" even while no product of
the catalogue carries it, and the province to ask about it.

Every search page asks, so the matching runs over a folded index of the register (a few hundred titles,
cached until a certificate changes: the `register` scope), and only the certificates found are read
with their product counts.
"""

from django.db.models import Count, Q

from certifications.models import Certificate
from core import cache as catalogue_cache
from core.text import fold_vietnamese
from core.validity import CertificateKind
from products.models import search_words

LIMIT = 6


def register_index():
    """[(id, folded title, folded title + product name + province)] of the GIs and marks, in display order."""
    rows = (
        Certificate.objects.exclude(kind=CertificateKind.OCOP)
        .order_by("kind", "title", "pk")
        .values_list("pk", "title", "product_name", "province__name")
    )
    return [
        (pk, fold_vietnamese(title), fold_vietnamese(" ".join([title, product_name, province or ""])))
        for pk, title, product_name, province in rows
    ]


def register_matches(query):
    """Non-OCOP certificates whose name (title, product name, province) holds every word searched for,
    or whose title is all in the search; each with `product_count`, its published products."""
    words = search_words(query)
    if not words:
        return []
    index = catalogue_cache.get_or_build("register-index", (), register_index, scopes=("register",))
    folded_query = f" {' '.join(words)} "
    found = [
        pk
        for pk, title, text in index
        if all(word in text for word in words) or (title and f" {title} " in folded_query)
    ][:LIMIT]
    if not found:
        return []
    certificates = (
        Certificate.objects.filter(pk__in=found)
        .select_related("province")
        .annotate(product_count=Count("entries", filter=Q(entries__product__is_published=True)))
    )
    order = {pk: position for position, pk in enumerate(found)}
    return sorted(certificates, key=lambda certificate: order[certificate.pk])
