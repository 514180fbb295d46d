"""Staff's download of the study bundle (:mod:`annotator.study`) as a zip."""

import tempfile
import zipfile
from pathlib import Path

from django.http import FileResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import study
from .permissions import require_staff


@require_GET
def study_download(request):
    """The bundle written into a temporary directory, zipped into a temporary file (removed
    once the response is sent) and streamed from it."""
    require_staff(request.user)
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    with tempfile.TemporaryDirectory() as directory:
        study.write(directory, timezone.now())
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(Path(directory).iterdir()):
                zipped.write(path, path.name)
    archive.seek(0)
    return FileResponse(
        archive, as_attachment=True, filename="study.zip", content_type="application/zip"
    )
