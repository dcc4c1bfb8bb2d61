""" "Did you mean" for a decision import row that names a producer or product the catalogue does not have.

The nearest existing names in the import's province, compared folded (`core.text`), so that "HTX Chè Tà
Sùa" points to "HTX Chè Tà Xùa" and "Tra xanh Ta Xua" to the product "Trà xanh Tà Xùa" whichever producer
it belongs to. Candidates are read once per import; each name's answer is kept for the rows that repeat it.
A lookup costs about 20 ms against 3,000 names, so an import looks up at most `MAX_LOOKUPS` distinct names
(a file of 5,000 unknown names must still preview within the worker's timeout); later ones get no hint.
"""

from core.admin.imports import did_you_mean
from core.text import closest_keys, fold_vietnamese
from producers.models import Producer
from products.models import Product

MAX_LOOKUPS = 100


def _by_key(objects):
    found = {}
    for obj in objects:
        found.setdefault(fold_vietnamese(obj.name), []).append(obj)
    return found


def _producer_label(producer):
    """ "Name (commune, province)": the address as written (a commune in the demo data), then the province
    unless the address already names it."""
    province = str(producer.province)
    parts = [producer.address] if producer.address else []
    if fold_vietnamese(province) not in fold_vietnamese(producer.address):
        parts.append(province)
    return f"{producer.name} ({', '.join(parts)})"


def _product_label(product):
    return f"{product.name} — {product.producer.name}"


class NearMisses:
    """The province's producers and products, and the sentence naming those nearest to a name."""

    def __init__(self, province):
        self.province = province
        self._producers = self._products = None
        self._answers = {}

    def producer(self, name) -> str:
        if self._producers is None:
            self._producers = _by_key(Producer.objects.filter(province=self.province).select_related("province"))
        return self._answer("producer", name, self._producers, _producer_label)

    def product(self, name) -> str:
        if self._products is None:
            products = Product.objects.filter(producer__province=self.province).select_related("producer")
            self._products = _by_key(products)
        return self._answer("product", name, self._products, _product_label)

    def _answer(self, kind, name, candidates, label):
        key = (kind, fold_vietnamese(name))
        if key not in self._answers and len(self._answers) >= MAX_LOOKUPS:
            return ""
        if key not in self._answers:
            nearest = [obj for folded in closest_keys(name, list(candidates)) for obj in candidates[folded]]
            self._answers[key] = did_you_mean(label(obj) for obj in nearest[:2])
        return self._answers[key]
