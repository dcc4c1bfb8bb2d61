"""A buyer's shortlist: the products they picked, kept in their session in the order they were added.

No account is needed: the session cookie is the buyer's only key. The shortlist holds product ids;
a product that is no longer published drops out of it the next time it is read.
"""

from django.db.models import Case, IntegerField, Prefetch, Value, When

from certifications.models import CertifiedProduct
from products.models import Product

SESSION_KEY = "shortlist"
MAX_ITEMS = 50


class Shortlist:
    def __init__(self, session):
        self.session = session

    @property
    def ids(self) -> list[int]:
        raw = self.session.get(SESSION_KEY) if self.session is not None else None
        if not isinstance(raw, list):
            return []
        return [value for value in raw if isinstance(value, int)][:MAX_ITEMS]

    def __len__(self):
        return len(self.ids)

    def __contains__(self, product_id):
        return product_id in self.ids

    @property
    def is_full(self):
        return len(self) >= MAX_ITEMS

    def _save(self, ids):
        self.session[SESSION_KEY] = ids

    def add(self, product_id) -> bool:
        """Add a product at the end; False when the shortlist is full (already there counts as added)."""
        ids = self.ids
        if product_id in ids:
            return True
        if len(ids) >= MAX_ITEMS:
            return False
        self._save([*ids, product_id])
        return True

    def remove(self, product_id):
        ids = self.ids
        if product_id in ids:
            self._save([i for i in ids if i != product_id])

    def clear(self):
        if self.session is not None and SESSION_KEY in self.session:
            del self.session[SESSION_KEY]

    def keep_only(self, product_ids):
        """Forget products that are gone or no longer published."""
        kept = [i for i in self.ids if i in set(product_ids)]
        if kept != self.ids:
            self._save(kept)

    def products(self):
        """The published products of the shortlist, in its order, with their current OCOP rating."""
        ids = self.ids
        order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
        return (
            Product.objects.published()
            .filter(pk__in=ids)
            .with_current_stars()
            .select_related("producer__province", "category__group")
            .order_by(order if ids else "pk")
        )

    def products_with_certificates(self):
        """`products()` with its in-force certificate entries and their status today (one more query):
        the same certificates as the export's column."""
        entries = (
            CertifiedProduct.objects.in_force()
            .with_status()
            .select_related("certificate")
            .order_by("certificate__kind", "-certificate__issued_on", "pk")
        )
        return self.products().prefetch_related(Prefetch("entries", queryset=entries))
