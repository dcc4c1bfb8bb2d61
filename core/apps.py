from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers of every app. Imports no app of the project (tests/site/test_architecture.py)."""

    name = "core"
    verbose_name = "Core"
