"""JSON answers built outside django-ninja: the hot routes' and the views' that answer JSON.

Ninja's own answers go through `core.api`; both build refusals from `core.errors`
(`error_body`, `refusal_headers`), so a refusal reads the same whichever way it was answered.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from smartexpo.core.errors import SmartExpoError, refusal_headers


def json_response(status: int, body) -> HttpResponse:
    """A JSON answer serialised once, as the API's renderer does (UTF-8, no \\u escapes)."""
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def error_response(exc: SmartExpoError) -> HttpResponse:
    """The API's answer to a domain error."""
    response = json_response(exc.status, exc.as_body())
    for name, value in refusal_headers(exc.status, exc.code, exc.detail).items():
        response[name] = value
    return response
