"""JSON answers built outside django-ninja: the hot routes', the middleware's and the views'.

Ninja's own answers go through `core.api`; both build refusals from `core.errors`
(`error_body`, `refusal_headers`, applied by `with_refusal_headers` here), so a refusal reads
the same whichever way it was answered.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from smartexpo.core.errors import SmartExpoError, refusal_headers

JSON = "application/json; charset=utf-8"


def json_response(status: int, body, content_type: str = JSON) -> HttpResponse:
    """A JSON answer serialised once, as the API's renderer does (UTF-8, no \\u escapes).

    `content_type` is for the middleware's refusals, which have always said plain
    `application/json` (Django's JsonResponse did)."""
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=content_type
    )


def with_refusal_headers(
    response: HttpResponse, status: int, code: str, detail: dict[str, Any] | None
) -> HttpResponse:
    """`response`, a refusal, with the headers its code calls for (`Retry-After`,
    `WWW-Authenticate`): the one place they are set, for ninja's answers and the others."""
    for name, value in refusal_headers(status, code, detail).items():
        response[name] = value
    return response


def error_response(exc: SmartExpoError) -> HttpResponse:
    """The API's answer to a domain error."""
    response = json_response(exc.status, exc.as_body())
    return with_refusal_headers(response, exc.status, exc.code, exc.detail)
