import gc
import os

from django.core.checks import run_checks
from django.core.management.base import SystemCheckError
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.dev")
application = get_wsgi_application()


def _refuse_to_start_on_failed_startup_checks():
    """A server that would answer 500 on every page (no static manifest) does not start."""
    from annotator.checks import STARTUP

    errors = [
        message
        for message in run_checks(tags=[STARTUP], include_deployment_checks=True)
        if message.is_serious()
    ]
    if errors:
        raise SystemCheckError("\n".join(str(error) for error in errors))


_refuse_to_start_on_failed_startup_checks()

# What loading the app made lives as long as the process: left out of the collector's full
# passes (Python's gc.freeze), which otherwise walk it all, a pause in whichever request
# happens to trigger one.
gc.freeze()
