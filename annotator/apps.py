from django.apps import AppConfig


class AnnotatorConfig(AppConfig):
    name = "annotator"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the signals that keep figures current and revoke API tokens,
        # and register the deployment checks.
        from . import accounts, checks  # noqa: F401
        from .profiles import storage  # noqa: F401
