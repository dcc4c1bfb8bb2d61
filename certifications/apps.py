from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationsConfig(AppConfig):
    name = "certifications"
    verbose_name = _("Chứng nhận")

    def ready(self):
        from . import cache_scopes, signals  # noqa: F401

        cache_scopes.register()
