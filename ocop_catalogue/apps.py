from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class CatalogueConfig(AppConfig):
    """The project as an app (no models): its site-wide template tags and its data commands."""

    name = "ocop_catalogue"
    verbose_name = _("Danh mục OCOP")


class BackgroundJobsConfig(TasksAppConfig):
    """django-tasks' database backend, under a name staff can read in the back-office (its own is English)."""

    verbose_name = _("Công việc nền")
