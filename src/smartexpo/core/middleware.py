"""Request limits and a JSON error shape for everything under /api/, whatever answered it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from smartexpo.core.errors import error_body
from smartexpo.core.responses import json_response

API_PREFIX = "/api/"

REASONS = {
    400: ("malformed", "The request could not be understood."),
    401: ("unauthenticated", "A valid bearer token is required."),
    403: ("forbidden", "Not allowed."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request body is too large."),
    500: ("internal_error", "Something went wrong on our side."),
}


def api_error(status: int, code: str, message: str, detail=None) -> HttpResponse:
    """A refusal answered outside ninja (this middleware, the hot routes, error pages)."""
    return json_response(status, error_body(code, message, detail), "application/json")


def api_body_refusal(request: HttpRequest) -> HttpResponse | None:
    """The 400/413 answer for a body that must not be read (bad or excessive length), or None."""
    limit = settings.SMARTEXPO_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return api_error(400, "malformed", "Content-Length is not a number.")
    if length > limit:
        return _too_large(limit)
    if request.META.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        try:
            request.body  # noqa: B018 - reads the stream under Django's size limit
        except RequestDataTooBig:
            return _too_large(limit)
    return None


def _too_large(limit: int) -> HttpResponse:
    return api_error(413, "too_large", "The request body is too large.", {"limit_bytes": limit})


class ApiBodyLimitMiddleware:
    """Refuse API bodies over the limit with 413 before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and (refusal := api_body_refusal(request)):
            return refusal
        return self.get_response(request)


class ApiErrorShapeMiddleware:
    """Give every non-JSON error under /api/ (unknown URL, wrong method…) the API's error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = REASONS.get(response.status_code, ("error", "Request failed."))
            shaped = api_error(response.status_code, code, message)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
