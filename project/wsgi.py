import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.dev")
application = get_wsgi_application()
# Import every URL pattern and view now, as each server process starts: left to
# the first request, that import (DRF, the schema views) made it take about 1 s.
get_resolver().url_patterns  # noqa: B018
