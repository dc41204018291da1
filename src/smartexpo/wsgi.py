"""WSGI entry point used by `smartexpo serve` and by any other WSGI server.

Requests under /api/ go to a Django handler with only the middleware an API needs (body limit,
security headers, host check, error shape): sessions, messages, locale, CSRF and
authentication middleware do nothing for bearer-token JSON calls but cost a tenth of a
registration's time. Everything else gets the full stack. The registration and scan POSTs, the
busiest writes of an expo, and the occupancy that control rooms poll, are answered by hot
routes (`core.hot_routes`) without Django's URL resolution and request cycle.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")

_site = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after Django is set up
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402


class ApiWSGIHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.SMARTEXPO_API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


_api = ApiWSGIHandler()

from smartexpo.checkin.api import scan_hot, sync_hot  # noqa: E402
from smartexpo.core.flood import flood_refusal  # noqa: E402
from smartexpo.core.hot_routes import HotRoutes  # noqa: E402
from smartexpo.crowd.api import occupancy_hot  # noqa: E402
from smartexpo.tickets.api import registration_hot  # noqa: E402

EXPO = r"/api/v1/expos/(?P<expo>[^/]+)"
hot_routes = HotRoutes(
    [
        ("POST", EXPO + "/registrations", registration_hot),
        ("POST", EXPO + "/checkin/scans", scan_hot),
        ("POST", EXPO + "/checkin/sync", sync_hot),
        ("GET", EXPO + "/venue/occupancy", occupancy_hot),
    ]
)


# Everything loaded so far lives as long as the process: keeping it out of the cyclic garbage
# collector's reach makes each full collection cheap (they were the spikes in a sync batch's
# time and in the scan latency's tail), and collecting young objects less often suits request
# handlers that allocate thousands of short-lived objects and drop them all at the end.
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 20)


def application(environ, start_response):
    if (refused := flood_refusal(environ)) is not None:
        status, headers, body = refused
        start_response(status, headers)
        return [body]
    if environ.get("PATH_INFO", "").startswith("/api/"):
        if found := hot_routes.match(environ):
            return hot_routes(environ, start_response, *found)
        return _api(environ, start_response)
    return _site(environ, start_response)
