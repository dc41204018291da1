"""Every route the server answers, found where the server finds them.

- Django's URL resolver: every pattern of `smartexpo.urls`, the admin's and the i18n pages
  included (at their English address; `/zh-hans/…` is the same view).
- The NinjaAPI's OpenAPI document: the methods of each API path (the resolver knows a path,
  not its methods). Every ninja path must be in the document (docs/api.md: all of the API is).
- `smartexpo.wsgi.hot_routes`: the routes answered ahead of Django in production.

Paths are written as ninja writes them: parameters in braces, whatever their converter or
regular expression (`/expos/<slug:expo>/` and `(?P<expo>[^/]+)` are both `{expo}`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ANY = "*"  # a Django view answers whatever methods it chooses; the matrix names them


@dataclass(frozen=True, order=True)
class Route:
    method: str
    path: str
    served_by: str  # "ninja", "hot route" or "django"

    def __str__(self) -> str:
        return f"({self.method}, {self.path})"


def normalise(pattern: str) -> str:
    """A URL pattern or regular expression as a path with `{name}` parameters."""
    path = re.sub(r"\(\?P<(\w+)>[^()]*\)", r"{\1}", pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    path = path.replace("\\Z", "").replace("^", "").replace("$", "")
    return "/" + path.lstrip("/")


def _walk(patterns, prefix: str = ""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def django_paths() -> list[str]:
    """Every pattern of the URL conf, English addresses (no language prefix)."""
    from django.urls import get_resolver
    from django.utils import translation

    with translation.override("en"):
        return [normalise(p) for p in _walk(get_resolver().url_patterns)]


def openapi_operations() -> dict[str, set[str]]:
    """Path → methods of every operation in the API's OpenAPI document."""
    from smartexpo.urls import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return {path: {m.upper() for m in ops} for path, ops in schema["paths"].items()}


def hot_routes() -> list[Route]:
    from smartexpo.wsgi import hot_routes as routes

    return [Route(m, normalise(pattern.pattern), "hot route") for m, pattern, _h in routes.routes]


@functools.cache
def served_routes() -> tuple[list[Route], list[str]]:
    """(every route, ninja paths the OpenAPI document lacks)."""
    operations = openapi_operations()
    routes: set[Route] = set()
    undocumented = []
    for path in django_paths():
        if path in operations:
            routes |= {Route(m, path, "ninja") for m in operations[path]}
        elif path.startswith("/api/v1/") and _is_ninja_operation(path):
            undocumented.append(path)
        else:
            routes.add(Route(ANY, path, "django"))
    return sorted(routes | set(hot_routes())), undocumented


def _is_ninja_operation(path: str) -> bool:
    """Whether an API path is one of ninja's operations (not its docs, schema or root)."""
    from django.urls import resolve

    concrete = re.sub(r"{\w+}", "1", path)
    return resolve(concrete).func.__module__ == "ninja.operation"
