"""The hot routes are the ninja operations marked `@fast_route`, and nothing else.

`smartexpo.wsgi` builds its table of hot routes from the marks on the API's operations, so
that making an operation hot is one line where it is declared, and the table can never name a
function that is not the documented operation's own view.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI, Router, Schema

from smartexpo.core.api import bearer
from smartexpo.core.hot_routes import MARK, HotRoutes, fast_operations, fast_route
from tests.permissions.routes import normalise

HOT = {
    ("POST", "/api/v1/expos/{expo}/registrations"),
    ("POST", "/api/v1/expos/{expo}/checkin/scans"),
    ("POST", "/api/v1/expos/{expo}/checkin/sync"),
    ("GET", "/api/v1/expos/{expo}/venue/occupancy"),
}


def test_the_table_is_the_marked_operations_each_with_its_own_view():
    from smartexpo.urls import api
    from smartexpo.wsgi import hot_routes

    spec = api.get_openapi_schema(path_prefix="/api/v1")
    found = set()
    for method, pattern, view in hot_routes.routes:
        path = normalise(pattern.pattern)
        found.add((method, path))
        assert getattr(view, MARK, False), view
        # The documented operation at that method and path is this very view (ninja names an
        # operation after its view's module and name).
        operation = spec["paths"][path][method.lower()]
        assert operation["operationId"] == f"{view.__module__}_{view.__name__}".replace(".", "_")
    assert found == HOT
    assert len(hot_routes.routes) == len(HOT)


def _probe_api(*views) -> NinjaAPI:
    """A small API of its own (never mounted), with these operations."""
    router = Router()
    for method, path, view, extra in views:
        router.api_operation([method], path, **extra)(view)
    api = NinjaAPI(urls_namespace=f"probe-{id(router)}")
    api.add_router("", router)
    return api


def test_marking_an_operation_makes_it_a_hot_route():
    @fast_route
    def read_thing(request, thing: str, verbose: str | None = None):
        return {"thing": thing}

    def write_thing(request, thing: str):
        return {"thing": thing}

    api = _probe_api(
        ("GET", "/things/{thing}", read_thing, {}), ("POST", "/things/{thing}", write_thing, {})
    )
    routes = fast_operations(api, prefix="/probe/v1/")
    assert routes == [("GET", re.escape("/probe/v1/things/") + "(?P<thing>[^/]+)", read_thing)]
    table = HotRoutes(routes)
    assert table.match({"REQUEST_METHOD": "GET", "PATH_INFO": "/probe/v1/things/lamp"}) == (
        read_thing,
        {"thing": "lamp"},
    )
    for method, path in [("POST", "/probe/v1/things/lamp"), ("GET", "/probe/v1/things/a/b")]:
        assert table.match({"REQUEST_METHOD": method, "PATH_INFO": path}) is None

    fast_route(write_thing)
    assert [r[0] for r in fast_operations(api, prefix="/probe/v1/")] == ["GET", "POST"]


class Thing(Schema):
    name: str


def _needs_auth(request, thing: str):
    return {}


def _needs_a_body(request, thing: str, payload: Thing):
    return {}


def _needs_an_int(request, thing: int):
    return {}


def _needs_a_query(request, thing: str, limit: int):
    return {}


@pytest.mark.parametrize(
    ("view", "extra", "why"),
    [
        (_needs_auth, {"auth": bearer}, "authenticates and throttles itself"),
        (_needs_a_body, {}, "its body parameters"),
        (_needs_an_int, {}, "its path parameters"),
        (_needs_a_query, {}, "its query parameters"),
    ],
    ids=["auth", "body", "int-path", "required-query"],
)
def test_an_operation_that_needs_ninja_cannot_be_marked(view, extra, why):
    """The hot route calls the view without ninja: whatever ninja would have done for it
    (authenticate, parse a body, convert or require a parameter) would silently not happen."""
    api = _probe_api(("POST", "/things/{thing}", fast_route(view), extra))
    with pytest.raises(ImproperlyConfigured, match=why):
        fast_operations(api, prefix="/probe/v1/")
