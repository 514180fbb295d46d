from django.apps import AppConfig


class AnnotatorConfig(AppConfig):
    name = "annotator"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import tallies  # noqa: F401  (connects the signals that keep figures current)
