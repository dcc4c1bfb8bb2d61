from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Sản phẩm")

    def ready(self):
        from . import cache_scopes, signals  # noqa: F401

        cache_scopes.register()
