"""The permission matrix holds: every route has a row, docs/permissions.md is its rendering, and
every role gets, through the production WSGI application, the answer its cell says."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import ProductionHandler
from tests.permissions import render
from tests.permissions.matrix import (
    ALLOWED,
    BEARER,
    OUTCOMES,
    ROLE_KEYS,
    ROLES,
    ROWS,
    SESSION,
    Row,
    W,
)
from tests.permissions.routes import ANY, served_routes
from tests.permissions.world import World

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
REGENERATE = (
    "make permissions  (or: .venv/bin/python -m tests.permissions.render docs/permissions.md)"
)
# Any 32 letters: the CSRF cookie holds the secret, and a form may send it as its token.
CSRF = "matrixcsrfsecretmatrixcsrfsecret"
ERROR_CODES = {"401": "unauthenticated", "403": "forbidden", "404": "not_found"}
REDIRECTS = {
    "login": re.compile(r"/admin/login/\?next="),
    "index": re.compile(r"/admin/\Z"),
    "portal-login": re.compile(r"/portal/login/\?next="),
}
REFUSED = {"401", "403", "404", *REDIRECTS}
PRODUCTION, NINJA = "production", "ninja operation"


# --- the table against the server's routes ----------------------------------------------------


def test_every_route_the_server_answers_has_a_row():
    routes, _undocumented = served_routes()
    rows = {(row.method, row.path) for row in ROWS}
    row_paths = {row.path for row in ROWS}
    missing = [
        str(r)
        for r in routes
        if (r.method == ANY and r.path not in row_paths)
        or (r.method != ANY and (r.method, r.path) not in rows)
    ]
    assert not missing, (
        "Routes without a row in tests/permissions/rows/ (add one per method it answers; "
        f"* is a Django view, whose methods the URL conf does not say), then run {REGENERATE}:"
        "\n  " + "\n  ".join(sorted(set(missing)))
    )


def test_every_api_operation_is_in_the_openapi_document():
    _routes, undocumented = served_routes()
    assert not undocumented, f"API paths missing from /api/v1/openapi.json: {undocumented}"


def test_every_row_names_a_route_the_server_answers():
    routes, _undocumented = served_routes()
    exact = {(r.method, r.path) for r in routes}
    views = {r.path for r in routes if r.method == ANY}  # a Django view: any method it takes
    stale = [row.key for row in ROWS if (row.method, row.path) not in exact | _of(views, row)]
    assert not stale, f"Rows for routes the server does not have: {stale}"


def _of(views: set[str], row: Row) -> set:
    return {(row.method, row.path)} if row.path in views else set()


def test_rows_marked_hot_are_exactly_the_hot_routes():
    routes, _undocumented = served_routes()
    hot = {(r.method, r.path) for r in routes if r.served_by == "hot route"}
    assert {(row.method, row.path) for row in ROWS if row.hot} == hot


def test_every_row_answers_for_every_role_once():
    assert len({row.key for row in ROWS}) == len(ROWS), "two rows ask the same thing"
    for row in ROWS:
        assert set(row.outcomes) == set(ROLE_KEYS), row.key
        assert set(row.outcomes.values()) <= set(OUTCOMES), row.key


def test_the_postgresql_sample_asks_every_route_and_every_role():
    sampled = [
        (row_index, role_index)
        for row_index in range(len(ROWS))
        for role_index in range(len(ROLES))
        if (row_index + role_index) % SAMPLE_ON_POSTGRES == 0
    ]
    assert {row for row, _role in sampled} == set(range(len(ROWS)))
    assert {role for _row, role in sampled} == set(range(len(ROLES)))


def test_docs_permissions_md_is_the_rendering_of_the_matrix():
    assert DOC.exists(), f"docs/permissions.md is missing: run {REGENERATE}"
    assert DOC.read_text(encoding="utf-8") == render.render(), (
        f"docs/permissions.md differs from tests/permissions/matrix.py: run {REGENERATE}"
    )


# --- every cell, asked ------------------------------------------------------------------------


# Who may do what is decided by the tokens, the sessions and the views, not by the database:
# the SQLite run asks every cell. The PostgreSQL run asks one cell in SAMPLE_ON_POSTGRES of each
# row, the roles taken in turn from row to row, so that every route and every role is still asked
# there (the answers must not change with the database) in a fraction of the time.
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
SAMPLE_ON_POSTGRES = 4


def _asked(row_index: int, role_index: int) -> bool:
    return not ON_POSTGRES or (row_index + role_index) % SAMPLE_ON_POSTGRES == 0


def _cells():
    for row_index, row in enumerate(ROWS):
        for role_index, role in enumerate(ROLES):
            if not _asked(row_index, role_index):
                continue
            servers = (PRODUCTION, NINJA) if row.hot else (PRODUCTION,)
            for server in servers:
                label = f"{row.key} | {role.key}" + (f" | {server}" if row.hot else "")
                yield pytest.param(row, role, server, id=label)


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role", "server"), list(_cells()))
def test_each_role_gets_the_answer_of_its_cell(world, row, role, server):
    expected = row.outcomes[role.key]
    refused_write = row.method != "GET" and expected in REFUSED
    before = _world_state(world) if refused_write else None
    writes = _writes() if refused_write else None
    response = ask(row, role, world, server)
    where = (
        f"{row.key} asked by {role.key} ({role.who}) through the {server}: expected {expected}, "
        f"{OUTCOMES[expected]}; got {response.status_code} {_excerpt(response)}"
    )
    if expected in REDIRECTS:
        assert response.status_code == 302, where
        assert REDIRECTS[expected].match(response["Location"]), where
    else:
        assert response.status_code == int(expected), where
    if expected == "302":
        assert not response["Location"].startswith("/admin/login/"), where
    if expected in ERROR_CODES and _is_json(row, response):
        assert response.json()["error"]["code"] == ERROR_CODES[expected], where
    if expected == "403" and role.key.endswith("_b") and row.outcomes[role.key[:-2]] in ALLOWED:
        # Edition B's token of a role edition A's token may use: refused for its edition.
        assert "another edition" in response.json()["error"]["message"], where
    # The database's own count of rows written says at once whether anything was; only when
    # it moved (a token's last use, which may be recorded) is every row compared.
    if refused_write and _writes() != writes:
        assert _state() == before, f"{where}: refused, yet the database changed"


def ask(row: Row, role, world: World, server: str = PRODUCTION):
    """The row's request, valid for a role that may make it, with the role's credential."""
    from smartexpo import wsgi

    client = Client()
    # Hot routes answer ahead of Django in production; the API's own Django handler
    # (`wsgi._api`) runs their ninja operation, which other WSGI servers would.
    client.handler = ProductionHandler(wsgi._api if server == NINJA else None)
    headers = dict(row.headers)
    if role.credential == BEARER:
        headers["Authorization"] = f"Bearer {world.tokens[role.key]}"
    elif role.credential == SESSION:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role.key]
    path = _fill(row, world)
    query = {name: _value(v, world) for name, v in row.query.items()}
    if row.form is not None:
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
        form = {**_value(row.form, world), "csrfmiddlewaretoken": CSRF}
        return client.post(path, form, query_params=query, headers=headers)
    if row.csv is not None:
        body, content_type = row.csv.encode(), "text/csv"
    elif row.json is not None:
        body, content_type = json.dumps(_value(row.json, world)), "application/json"
    else:
        body, content_type = b"", "application/octet-stream"
    return client.generic(
        row.method, path, body, content_type=content_type, headers=headers, query_params=query
    )


def _fill(row: Row, world: World) -> str:
    path = row.path
    while "{" in path:
        name = path[path.index("{") + 1 : path.index("}")]
        known = row.params.get(name, name)
        assert known in world.values, f"{row.key}: tests/permissions/world.py has no {known!r}"
        value = world.values[known]
        path = path.replace("{" + name + "}", str(value), 1)
    return path


def _value(value, world: World):
    if isinstance(value, W):
        return world.values[value.name]
    if isinstance(value, dict):
        return {k: _value(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, world) for v in value]
    return value


def _world_state(world: World) -> str:
    """`_state()` of the world as it was built: every cell starts from it (each test runs in
    a savepoint rolled back at its end), so it is read once per world, not once per cell."""
    if world.initial_state is None:
        world.initial_state = _state()
    return world.initial_state


def _writes() -> int:
    """Rows this connection has inserted, updated or deleted so far (SQLite), or this
    transaction has (PostgreSQL): the same before and after a request that wrote nothing."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        else:
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_user_tables"
            )
        return cursor.fetchone()[0]


def _state() -> str:
    """A digest of every row of every table, but the tokens' last use, which any request
    showing a token may record."""
    from django.apps import apps

    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.label == "sessions.Session":
            continue  # a session read may refresh it
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_used_at"]
        for values in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr((model._meta.label, values)).encode())
    return digest.hexdigest()


def _is_json(row: Row, response) -> bool:
    return row.path.startswith("/api/") or response.get("Content-Type", "").startswith(
        "application/json"
    )


def _excerpt(response) -> str:
    if response.status_code in (301, 302):
        return f"to {response['Location']}"
    kind = response.get("Content-Type", "")
    if kind.startswith(("application/json", "text/")):
        return response.content[:300].decode("utf-8", "replace")
    return f"({kind})"
