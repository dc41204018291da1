"""The API's busiest operations answered as plain WSGI routes, ahead of Django's request cycle.

On an expo's opening morning a few endpoints take thousands of requests a second: registration,
gate scans and offline sync, and the occupancy that control rooms poll. Measured under load
(py-spy, bench/RESULTS.md), Django's request cycle around them — request signals, URL
resolution over every API route, middleware, ninja's operation dispatch — cost a fifth of each
registration. A hot route keeps what the API contract needs from that cycle and skips the rest:

- the request is Django's own `WSGIRequest` (host validation, headers, body size limit);
- SecurityMiddleware and CommonMiddleware run their request and response halves, so a hot
  route answers with the same headers, redirects and refusals as every other API route;
- the body limit and the error shape are the API's (`core.middleware`, `core.errors`);
- the work itself is the view of the endpoint's ninja operation, called directly: the same
  function serves the OpenAPI document, any server that loads Django's own WSGI handler, and
  the hot route, so the two ways in cannot answer differently;
- the body is validated by that view with the pydantic model the OpenAPI document shows for it
  (`core.bodies`), so the document states every limit applied here.

An operation is made hot where it is declared, with `@fast_route` under its ninja decorator;
`HotRoutes.from_api` builds the table from those marks, once, when the WSGI application is
loaded (`smartexpo.wsgi`). Anything else under /api/ — other methods, other paths — goes through
Django as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured, PermissionDenied
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished
from django.http import HttpResponse
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from ninja import NinjaAPI
from ninja.utils import normalize_path

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.middleware import api_body_refusal, api_error
from smartexpo.core.responses import error_response

logger = logging.getLogger("smartexpo.api")

Handler = Callable[..., HttpResponse]

# The attribute that marks a view; a function attribute survives ninja's cloning of operations
# and any decorator written with functools.wraps.
MARK = "smartexpo_fast_route"
# `{name}` in a ninja path: a string parameter, matched as Django's `str` converter matches it.
PARAMETER = re.compile(r"{(\w+)}")


def fast_route(view: Handler) -> Handler:
    """Mark the view of a ninja operation to be answered as a hot route (`HotRoutes`).

    Written under the operation's decorator. On the hot route the view is called as
    `view(request, **path_parameters)`, without ninja: it must authenticate the request and
    validate its body itself (as every marked view does, with the schema its `openapi_extra`
    documents), and any query parameter it declares is documentation only — it keeps its
    default there, so the view reads `request.GET`. `fast_operations` refuses a marked
    operation that needs ninja's authentication, throttling or body parsing."""
    setattr(view, MARK, True)
    return view


def fast_operations(api: NinjaAPI, prefix: str | None = None) -> list[tuple[str, str, Handler]]:
    """(method, path pattern, view) of every operation of `api` marked with `fast_route`.

    `prefix` is where the API is mounted (default: where the URL conf mounts it, `/api/v1/`).
    A marked operation that a hot route could not answer as ninja would is a configuration
    error, raised when the table is built rather than found in production."""
    prefix = api.get_root_path({}) if prefix is None else prefix
    routes = []
    # Ninja has no public walk of its operations; its bound routers are what its URL patterns
    # dispatch to, with each operation's inherited authentication resolved.
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                if not getattr(operation.view_func, MARK, False):
                    continue
                full = normalize_path(f"/{prefix}/{router.prefix}/{path}")
                _refuse_unless_fast(operation, full)
                routes += [
                    (method, _pattern(full), operation.view_func) for method in operation.methods
                ]
    return routes


def _refuse_unless_fast(operation, path: str) -> None:
    """Raise ImproperlyConfigured if the hot route would skip something ninja does for it."""
    name = f"{operation.view_func.__qualname__} ({path})"
    if operation.auth_callbacks or operation.throttle_objects:
        raise ImproperlyConfigured(f"{name}: a fast route authenticates and throttles itself.")
    for model in operation.models:
        source = model.__ninja_param_source__
        if source == "path" and all(f.annotation is str for f in model.model_fields.values()):
            continue
        if source == "query" and not any(f.is_required() for f in model.model_fields.values()):
            continue
        raise ImproperlyConfigured(
            f"{name}: a fast route takes string path parameters and optional query "
            f"parameters only; its {source} parameters would not be read on the hot route."
        )


def _pattern(path: str) -> str:
    """A ninja path as a regular expression: `{expo}` → `(?P<expo>[^/]+)`."""
    parts = PARAMETER.split(path)  # literal, name, literal, name, …, literal
    if any("{" in literal for literal in parts[::2]):
        raise ImproperlyConfigured(f"{path}: a fast route's path parameters are plain {{name}}.")
    return "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )


class HotRoutes:
    """A WSGI callable for a few (method, path pattern) → handler routes.

    A handler takes the request and the pattern's named groups and returns an HttpResponse;
    a `SmartExpoError` it raises becomes the API's error answer."""

    def __init__(self, routes: list[tuple[str, str, Handler]]):
        self.routes = [(method, re.compile(pattern + r"\Z"), h) for method, pattern, h in routes]
        # Only the request and response halves are used; get_response is never called.
        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)

    @classmethod
    def from_api(cls, api: NinjaAPI, prefix: str | None = None) -> HotRoutes:
        """The hot routes of `api`: its operations marked with `fast_route`."""
        return cls(fast_operations(api, prefix))

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
