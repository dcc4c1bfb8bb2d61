from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProducersConfig(AppConfig):
    name = "producers"
    verbose_name = _("Địa phương và chủ thể")

    def ready(self):
        # One receiver for every catalogue model (this app cannot import the higher apps' models).
        from django.db.models.signals import post_delete, post_save

        from core.cache import model_changed

        from . import cache_scopes

        cache_scopes.register()
        post_save.connect(model_changed, dispatch_uid="catalogue_version_save")
        post_delete.connect(model_changed, dispatch_uid="catalogue_version_delete")
