"""WSGI entry point used by `smartexpo serve` and by any other WSGI server.

Requests under /api/ go to a Django handler with only the middleware an API needs (body limit,
security headers, host check, error shape; `settings.SMARTEXPO_API_MIDDLEWARE`): sessions,
messages, locale, CSRF and authentication middleware do nothing for bearer-token JSON calls
but cost a tenth of a registration's time. Everything else gets the full stack. The ninja
operations marked `@fast_route` — the registration, scan and sync POSTs, the busiest writes of
an expo, and the occupancy that control rooms poll — are answered by hot routes
(`core.hot_routes`, their table built from the marks) without Django's URL resolution and
request cycle.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")

_site = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after Django is set up
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed  # noqa: E402
from django.core.handlers.exception import convert_exception_to_response  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402


class ApiWSGIHandler(WSGIHandler):
    """Django's WSGI handler, with the API's middleware instead of the site's."""

    def load_middleware(self, is_async=False):
        """Build the chain from `settings.SMARTEXPO_API_MIDDLEWARE` as Django's own
        `BaseHandler.load_middleware` builds it from `settings.MIDDLEWARE` (view, template
        response and exception hooks; each layer's exceptions turned into responses), for the
        synchronous stack only. The settings are only read: a handler that swapped
        `settings.MIDDLEWARE` while it loaded would hand the API's list to anything that read
        it meanwhile, another thread's site handler included."""
        if is_async:
            raise ImproperlyConfigured("The API's handler is a synchronous WSGI handler.")
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(settings.SMARTEXPO_API_MIDDLEWARE):
            middleware = import_string(path)
            if not getattr(middleware, "sync_capable", True):
                raise ImproperlyConfigured(f"{path}: the API's middleware must run synchronously.")
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if instance is None:
                raise ImproperlyConfigured(f"Middleware factory {path} returned None.")
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        # Assigned last, as Django does: it is the flag that loading is complete.
        self._middleware_chain = handler


_api = ApiWSGIHandler()

from smartexpo.core.flood import flood_refusal  # noqa: E402
from smartexpo.core.health import PATHS as HEALTH_PATHS  # noqa: E402
from smartexpo.core.hot_routes import HotRoutes  # noqa: E402
from smartexpo.urls import api  # noqa: E402

hot_routes = HotRoutes.from_api(api)


# Everything loaded so far lives as long as the process: keeping it out of the cyclic garbage
# collector's reach makes each full collection cheap (they were the spikes in a sync batch's
# time and in the scan latency's tail), and collecting young objects less often suits request
# handlers that allocate thousands of short-lived objects and drop them all at the end.
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 20)


def application(environ, start_response):
    if environ.get("PATH_INFO") in HEALTH_PATHS:
        # Ahead of the per-address budget (a balancer checks from one address, whatever the
        # traffic around it) and through the API's short middleware: no session, no cookie.
        return _whole(_api(environ, start_response))
    if (refused := flood_refusal(environ)) is not None:
        status, headers, body = refused
        start_response(status, headers)
        return [body]
    if environ.get("PATH_INFO", "").startswith("/api/"):
        # The API answers in English. Its messages are translatable (the pages show them in the
        # visitor's language), and a page served before on this thread leaves its visitor's
        # language active: Django's LocaleMiddleware activates one and never deactivates it.
        translation.activate(settings.LANGUAGE_CODE)
        if found := hot_routes.match(environ):
            return hot_routes(environ, start_response, *found)
        return _whole(_api(environ, start_response))
    return _whole(_site(environ, start_response))


def _whole(response):
    """A response whose body is in memory, as the one-item list WSGI allows, closed here.

    Handed a list, the server writes the body in one call; handed Django's response, it walks
    the response as an iterator from its own threads, and that walk was a quarter of a cached
    page's time under load (bench/RESULTS.md, "Deals ledger"). Closing it here, as the server
    would after the walk, ends the request the same way (`request_finished`, the resources the
    response holds). Streaming and file responses are handed over as they are."""
    if not isinstance(response, HttpResponse):
        return response
    try:
        return [response.content]
    finally:
        response.close()
