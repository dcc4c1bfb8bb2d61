"""The public URLs: Vietnamese with no prefix, English under /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from core.page_cache import cache_public_page
from producers import urls as producer_urls
from products.urls import urlpatterns as product_urls
from trade.urls import urlpatterns as trade_urls

from . import health, provinces, share_images, views
from .sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("share/products/<slug:slug>.png", share_images.product_image, name="share_product"),
    path("share/producers/<slug:slug>.png", share_images.producer_image, name="share_producer"),
    path("share/provinces/<slug:slug>.png", share_images.province_image, name="share_province"),
    path(
        "sitemap.xml",
        cache_public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        # A section page lists 5,000 products with their alternates (~3 s of work, 2.8 MB).
        cache_public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    # The buyers' pages (trade) share the "products" namespace with the product pages: their names
    # ("products:shortlist", "products:export_csv", ...) are the ones every link and template reverses.
    path("", include((product_urls + trade_urls, "products"))),
    path("", include(([*provinces.urlpatterns, *producer_urls.urlpatterns], "producers"))),
    path("", include("certifications.urls")),
    prefix_default_language=False,
)

if settings.BENCH_FLOORS:
    from . import bench_views

    urlpatterns += [
        path("bench/floor/trivial", bench_views.floor_trivial),
        path("bench/floor/fortunes", bench_views.floor_fortunes),
    ]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
