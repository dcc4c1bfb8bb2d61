from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    """The project as an app (no models): its site-wide template tags and its data commands."""

    name = "ocop_catalogue"
    verbose_name = _("Danh mục OCOP")
