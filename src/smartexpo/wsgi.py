"""WSGI entry point used by `smartexpo serve` and by any other WSGI server.

Requests under /api/ go to a Django handler with only the middleware an API needs (body limit,
security headers, host check, error shape): sessions, messages, locale, CSRF and
authentication middleware do nothing for bearer-token JSON calls but cost a tenth of a
registration's time. Everything else gets the full stack. The registration POST, the busiest
write of an expo, is answered by its own route (`tickets.registration_route`) without Django's
URL resolution and request cycle.
"""

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

from smartexpo.tickets.registration_route import (  # noqa: E402
    RegistrationRoute,
    registration_route_match,
)

_register = RegistrationRoute()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/api/"):
        if expo := registration_route_match(environ):
            return _register(environ, start_response, expo)
        return _api(environ, start_response)
    return _site(environ, start_response)
