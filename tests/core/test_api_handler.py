"""The API's Django handler builds its own middleware chain and leaves the settings alone.

It used to swap the global `settings.MIDDLEWARE` for the API's list while it loaded, so that
anything reading the setting meanwhile — another thread's site handler loading its own chain —
saw the wrong list.
"""

from __future__ import annotations

from django.conf import settings as django_settings

from smartexpo.wsgi import ApiWSGIHandler

seen_while_loading: list[list[str]] = []


class SettingsProbe:
    """A middleware that records, as it is created, the site's middleware setting."""

    def __init__(self, get_response):
        self.get_response = get_response
        seen_while_loading.append(list(django_settings.MIDDLEWARE))

    def __call__(self, request):
        return self.get_response(request)


def _chain(handler) -> list[str]:
    """The dotted paths of a loaded handler's middleware, outermost first."""
    found = []
    layer = handler._middleware_chain
    while hasattr(layer, "__wrapped__"):  # convert_exception_to_response's wrapper
        middleware = layer.__wrapped__
        if not hasattr(middleware, "get_response"):
            break  # the handler's own _get_response: the end of the chain
        found.append(f"{type(middleware).__module__}.{type(middleware).__qualname__}")
        layer = middleware.get_response
    return found


def test_the_api_chain_is_the_api_middleware_and_the_site_setting_is_never_touched(settings):
    site = list(settings.MIDDLEWARE)
    probe = f"{__name__}.SettingsProbe"
    settings.SMARTEXPO_API_MIDDLEWARE = [*settings.SMARTEXPO_API_MIDDLEWARE, probe]
    seen_while_loading.clear()
    handler = ApiWSGIHandler()
    assert seen_while_loading == [site]
    assert list(settings.MIDDLEWARE) == site
    assert _chain(handler) == settings.SMARTEXPO_API_MIDDLEWARE


def test_the_served_api_handler_runs_the_api_middleware():
    from smartexpo import wsgi

    assert _chain(wsgi._api) == django_settings.SMARTEXPO_API_MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" in django_settings.MIDDLEWARE
