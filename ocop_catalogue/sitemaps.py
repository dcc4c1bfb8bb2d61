"""Sitemaps of the public pages, in Vietnamese and English with hreflang alternates.

`/sitemap.xml` is an index (named "sitemap", which robots.txt links); each section is paginated by
Django, so 100,000 products stay within the 50,000-URL limit of a sitemap file.

Django builds an i18n sitemap's pages from a list of every (item, language) pair, and the index's
lastmod from every item: at 100,000 products that loaded all the rows for each request to the index
or to any page (5–7 s, and +20–40 MB in the worker that served it; found by `make load`). Here a page
reads only its own rows, and the index only a COUNT and a MAX.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property

from certifications.models import Certificate
from producers.models import Producer, Province
from products.models import Product


class _LanguagePairs:
    """The (item, language) pairs that Django's i18n sitemap pages through, in its order (each item in
    every language), read from the queryset a page at a time. Paginator needs only len() and slices."""

    def __init__(self, items, languages):
        self.items = items if items.ordered else items.order_by("pk")
        self.languages = list(languages)

    @cached_property
    def _length(self):
        return self.items.count() * len(self.languages)

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("sitemap pages are read by slices")
        start, stop, step = index.indices(len(self))
        if stop <= start:
            return []
        per_item = len(self.languages)
        first = start // per_item
        rows = self.items[first : -(-stop // per_item)]
        pairs = [(row, language) for row in rows for language in self.languages]
        offset = first * per_item
        return pairs[start - offset : stop - offset : step]


class _Bilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000
    # The field lastmod() returns, so that the index reads its latest value with one MAX.
    lastmod_field = None

    @property
    def paginator(self):
        items = self.items()
        if not isinstance(items, QuerySet):
            return super().paginator
        languages = self.languages or [code for code, _name in settings.LANGUAGES]
        return Paginator(_LanguagePairs(items, languages), self.limit)

    def get_latest_lastmod(self):
        if self.lastmod_field is None:
            return super().get_latest_lastmod()
        return self.items().order_by().aggregate(latest=Max(self.lastmod_field))["latest"]


class PagesSitemap(_Bilingual):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return [
            "home",
            "products:product_list",
            "producers:province_list",
            "producers:producer_list",
            "certifications:certificate_list",
            "certifications:verify",
        ]

    def location(self, item):
        return reverse(item)


class ProductSitemap(_Bilingual):
    changefreq = "weekly"
    priority = 0.7
    lastmod_field = "updated_at"

    def items(self):
        return Product.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ProvinceSitemap(_Bilingual):
    changefreq = "weekly"

    def items(self):
        return Province.objects.current().only("slug")


class ProducerSitemap(_Bilingual):
    changefreq = "monthly"
    lastmod_field = "updated_at"

    def items(self):
        return Producer.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CertificateSitemap(_Bilingual):
    changefreq = "monthly"
    lastmod_field = "updated_at"

    def items(self):
        return Certificate.objects.only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "products": ProductSitemap,
    "provinces": ProvinceSitemap,
    "producers": ProducerSitemap,
    "certificates": CertificateSitemap,
}
