"""The exhibitors' pictures, served from the database with a long cache: the URL holds the
content hash, so a picture at one URL never changes."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from smartexpo.exhibitors.images import image_get

YEAR = 365 * 24 * 3600


@require_GET
def image(request: HttpRequest, sha256: str, ext: str) -> HttpResponse:
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
