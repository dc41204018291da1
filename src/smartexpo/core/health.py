"""`GET /healthz` and `GET /readyz`: what a load balancer or a service manager asks a server.

- `/healthz` — the process is up and answers HTTP. It touches nothing else, the database
  least of all: a database outage must not get every server restarted by its supervisor.
- `/readyz` — the server can take traffic: the database answers a round trip and every
  migration this code knows is applied (a server started ahead of `smartexpo migrate` must not
  be sent requests its tables cannot serve yet). The migration check reads the migration
  files and the database's record of them, so it runs until it first succeeds and is then
  remembered for the life of the process; the round trip runs on every call, a few
  hundred microseconds.

Both are plain Django views rather than API operations: they are not part of the versioned API
(no `/api/v1/` prefix, no token), and `smartexpo.wsgi` answers them ahead of the per-address
request budget and of the session, CSRF and locale middleware, so a health check is never
refused for the traffic around it and never sets a cookie. A 503 is an expected answer here,
not a fault, so it is not logged as a server error.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from smartexpo.core.errors import error_body
from smartexpo.core.queries import database_ping
from smartexpo.core.responses import json_response

PATHS = ("/healthz", "/readyz")

_migrated = False


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 `{"status": "ok"}` while the process answers at all."""
    return _uncached(json_response(200, {"status": "ok"}))


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """200 `{"status": "ready"}` when the database answers and is migrated; else 503 in the
    API's error shape with the code `not_ready` and `detail.reason` (`database` or
    `migrations`)."""
    try:
        database_ping()
        if not migrations_applied():
            return _not_ready("migrations", "Migrations are not applied yet.")
    except DatabaseError:
        return _not_ready("database", "The database does not answer.")
    return _uncached(json_response(200, {"status": "ready"}))


def migrations_applied() -> bool:
    """Whether every migration of the installed apps is recorded as applied (remembered once
    true: migrations are not unapplied under a running server)."""
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        _migrated = not executor.migration_plan(targets)
    return _migrated


def forget() -> None:
    """Check the migrations again on the next call (tests)."""
    global _migrated
    _migrated = False


def _not_ready(reason: str, message: str) -> HttpResponse:
    response = json_response(503, error_body("not_ready", message, {"reason": reason}))
    # Django logs every 5xx as an error; an unready server is a state the load balancer acts
    # on, and logging it at each check (every second or two) would bury the real errors.
    response._has_been_logged = True
    # The balancer asks again in a moment; a Retry-After tells any other caller the same.
    response["Retry-After"] = "1"
    return _uncached(response)


def _uncached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response
