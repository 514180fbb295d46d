"""System checks for a deployment: what would otherwise fail on every page, or surprise."""

import os

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks

# The app servers run the checks under this tag as they start (project/wsgi.py).
STARTUP = "annotator_startup"


@checks.register(STARTUP, deploy=True)
def static_manifest_present(app_configs, **kwargs):
    """With hashed static files, a missing manifest makes every page answer 500."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.manifest_storage.exists(staticfiles_storage.manifest_name):
        return []
    path = staticfiles_storage.manifest_storage.path(staticfiles_storage.manifest_name)
    return [
        checks.Error(
            f"The static files manifest {path} is missing, so every page would fail.",
            hint="Run manage.py collectstatic --noinput (with the same settings) first.",
            id="annotator.E001",
        )
    ]


@checks.register(checks.Tags.database, deploy=True)
def database_url_set(app_configs, **kwargs):
    """Say which database a deployment without DATABASE_URL uses."""
    if os.environ.get("DATABASE_URL"):
        return []
    name = settings.DATABASES["default"]["NAME"]
    return [
        checks.Warning(
            f"DATABASE_URL is not set, so the database is the SQLite file {name} on this host.",
            hint=(
                "That serves one app server; several need one shared PostgreSQL: "
                "set DATABASE_URL=postgres://user:password@host:5432/name."
            ),
            id="annotator.W001",
        )
    ]
