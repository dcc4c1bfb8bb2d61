"""Sitemaps of the public pages, in Vietnamese and English with hreflang alternates.

`/sitemap.xml` is an index (named "sitemap", which robots.txt links); each section is paginated by
Django, so 100,000 products stay within the 50,000-URL limit of a sitemap file.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from certifications.models import Certificate
from producers.models import Producer, Province
from products.models import Product


class _Bilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000


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

    def items(self):
        return Producer.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CertificateSitemap(_Bilingual):
    changefreq = "monthly"

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
