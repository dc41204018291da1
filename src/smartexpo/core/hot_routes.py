"""The API's busiest endpoints answered as plain WSGI routes, ahead of Django's request cycle.

On an expo's opening morning a few endpoints take thousands of requests a second: registration,
gate scans and offline sync, and the occupancy that control rooms poll. Measured under load
(py-spy, bench/RESULTS.md), Django's request cycle around them — request signals, URL
resolution over every API route, middleware, ninja's operation dispatch — cost a fifth of each
registration. A hot route keeps what the API contract needs
from that cycle and skips the rest:

- the request is Django's own `WSGIRequest` (host validation, headers, body size limit);
- SecurityMiddleware and CommonMiddleware run their request and response halves, so a hot
  route answers with the same headers, redirects and refusals as every other API route;
- the body limit and the error shape are the API's (`core.middleware`, `core.errors`);
- the work itself is the function behind the endpoint's ninja route, which still serves the
  OpenAPI document and any server that loads Django's own WSGI handler;
- the body is validated with the pydantic model the OpenAPI document shows for it
  (`checkin.schemas`, `tickets.schemas`), so the document states every limit applied here.

Anything else under /api/ — other methods, other paths — goes through Django as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished
from django.http import HttpResponse
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.middleware import api_body_refusal, api_error
from smartexpo.core.responses import error_response

logger = logging.getLogger("smartexpo.api")

Handler = Callable[..., HttpResponse]


class HotRoutes:
    """A WSGI callable for a few (method, path pattern) → handler routes.

    A handler takes the request and the pattern's named groups and returns an HttpResponse;
    a `SmartExpoError` it raises becomes the API's error answer."""

    def __init__(self, routes: list[tuple[str, str, Handler]]):
        self.routes = [(method, re.compile(pattern + r"\Z"), h) for method, pattern, h in routes]
        # Only the request and response halves are used; get_response is never called.
        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)

    def match(self, environ) -> tuple[Handler, dict] | None:
        """The handler and path arguments for this request, or None (Django answers it)."""
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        for route_method, pattern, handler in self.routes:
            if method == route_method and (found := pattern.match(path)):
                return handler, found.groupdict()
        return None

    def __call__(self, environ, start_response, handler: Handler, kwargs: dict):
        request = WSGIRequest(environ)
        try:
            response = self._respond(request, handler, kwargs)
        finally:
            # As Django's handler ends a request: a database connection left unusable by an
            # error is dropped before the next request gets it (close_old_connections).
            request_finished.send(sender=self.__class__)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, list(response.items()))
        return [response.content]

    def _respond(self, request: WSGIRequest, handler: Handler, kwargs: dict) -> HttpResponse:
        try:
            response = (
                self.security.process_request(request)
                or self.common.process_request(request)
                or api_body_refusal(request)
                or handler(request, **kwargs)
            )
        except SmartExpoError as exc:
            response = error_response(exc)
        except DisallowedHost:
            response = api_error(400, "malformed", "The request could not be understood.")
        except PermissionDenied:  # CommonMiddleware's DISALLOWED_USER_AGENTS
            response = api_error(403, "forbidden", "Not allowed.")
        except Exception:
            logger.exception("Unhandled error on %s %s", request.method, request.path)
            if settings.DEBUG:
                raise
            response = api_error(500, "internal_error", "Something went wrong on our side.")
        response = self.security.process_response(request, response)
        return self.common.process_response(request, response)


def _unused(request):  # pragma: no cover - the middleware halves are called directly
    raise AssertionError("not a middleware chain")
