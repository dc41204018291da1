"""The exhibitors' pictures, served from the database with a long cache: the URL holds the
content hash, so a picture at one URL never changes."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from smartexpo.exhibitors.images import image_get

YEAR = 365 * 24 * 3600
FILENAME = re.compile(r"[0-9a-f]{64}\.(jpg|png|webp)")


@require_safe
def image(request: HttpRequest, filename: str) -> HttpResponse:
    sha256, _dot, ext = filename.partition(".")
    if not FILENAME.fullmatch(filename):
        raise Http404
    found = image_get(sha256=sha256)
    if found is None or found.extension != ext:
        raise Http404
    if request.headers.get("If-None-Match") == f'"{found.sha256}"':
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(found.data), content_type=found.content_type)
        response["Content-Length"] = str(len(found.data))
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["ETag"] = f'"{found.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
