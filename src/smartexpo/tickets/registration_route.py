"""`POST /api/v1/expos/{expo}/registrations` answered as a plain WSGI route, ahead of Django.

On an expo's opening morning this one endpoint takes thousands of requests a second. Measured
under load (py-spy, bench/RESULTS.md), Django's request cycle around it — request signals, URL
resolution over every API route, middleware, ninja's operation dispatch — cost a fifth of each
registration. This route keeps what the API contract needs from that cycle and skips the rest:

- the request is Django's own `WSGIRequest` (host validation, headers, body size limit);
- SecurityMiddleware and CommonMiddleware run their request and response halves, so the route
  answers with the same headers, redirects and refusals as every other API route;
- the body limit and the error shape are the API's (`core.middleware`, `core.errors`);
- the registration itself is `tickets.api.registration_post`, the very function behind the
  ninja route (which still serves the OpenAPI document, the test client and any server that
  loads Django's own WSGI handler).

Anything else under /api/ — other methods, other paths — goes through Django as before.
"""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished
from django.http import HttpResponse
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.middleware import api_body_refusal, api_error
from smartexpo.tickets.api import registration_post, registration_response

logger = logging.getLogger("smartexpo.api")

_PATH = re.compile(r"/api/v1/expos/(?P<expo>[^/]+)/registrations\Z")


def registration_route_match(environ) -> str | None:
    """The edition slug when this request is a registration POST, else None."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    match = _PATH.match(environ.get("PATH_INFO", ""))
    return match["expo"] if match else None


class RegistrationRoute:
    """The WSGI callable; built once per process, after Django is set up."""

    def __init__(self):
        # Only the request and response halves are used; get_response is never called.
        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)

    def __call__(self, environ, start_response, expo: str):
        request = WSGIRequest(environ)
        try:
            response = self._respond(request, expo)
        finally:
            # As Django's handler ends a request: a database connection left unusable by an
            # error is dropped before the next request gets it (close_old_connections).
            request_finished.send(sender=self.__class__)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, list(response.items()))
        return [response.content]

    def _respond(self, request: WSGIRequest, expo: str) -> HttpResponse:
        try:
            response = (
                self.security.process_request(request)
                or self.common.process_request(request)
                or api_body_refusal(request)
                or self._register(request, expo)
            )
        except DisallowedHost:
            response = api_error(400, "malformed", "The request could not be understood.")
        except PermissionDenied:  # CommonMiddleware's DISALLOWED_USER_AGENTS
            response = api_error(403, "forbidden", "Not allowed.")
        except Exception:
            logger.exception("Unhandled error on POST %s", request.path)
            if settings.DEBUG:
                raise
            response = api_error(500, "internal_error", "Something went wrong on our side.")
        response = self.security.process_response(request, response)
        return self.common.process_response(request, response)

    def _register(self, request: WSGIRequest, expo: str) -> HttpResponse:
        try:
            status, body = registration_post(request, expo=expo)
        except SmartExpoError as exc:
            response = HttpResponse(
                json.dumps(exc.as_body(), ensure_ascii=False),
                status=exc.status,
                content_type="application/json; charset=utf-8",
            )
            if exc.code == "rate_limited":
                response["Retry-After"] = str(exc.detail.get("retry_after", 60))
            return response
        return registration_response(status, body)


def _unused(request):  # pragma: no cover - the middleware halves are called directly
    raise AssertionError("not a middleware chain")
