from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AnnotatorConfig(AppConfig):
    name = "annotator"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the signals that keep figures current and revoke API tokens,
        # and register the deployment checks.
        from . import accounts, checks  # noqa: F401
        from .profiles import storage  # noqa: F401
        from .search import register_sqlite_casefold

        connection_created.connect(register_sqlite_casefold)
