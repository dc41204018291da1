"""The shape every app keeps: SQL only in the database layer, and apps in layers without cycles.

- An app's SQL statements live in its `queries.py` (`core.db` holds what they share): no other
  module holds an SQL string, runs a statement, reads the database vendor or silences the
  linter's SQL-injection rule (S608).
- An app imports only apps below it (`scripts/app_graph.py`, `LAYERS`), so the graph has no
  cycle, and `docs/architecture.md` draws the graph as the code has it.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("app_graph", ROOT / "scripts" / "app_graph.py")
app_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(app_graph)

PACKAGE = app_graph.PACKAGE

# SQL as it is written here: keywords in capitals, so that prose ("select the zone") is not SQL.
SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(?:CREATE|DROP)\s+(?:TEMP\s+|TEMPORARY\s+)?(?:TABLE|TRIGGER|INDEX|FUNCTION|VIEW)\b"
    r"|\bPRAGMA\s|\bFOR\s+UPDATE\b|\bON\s+CONFLICT\b|\bRETURNING\b"
)
RUNS_SQL = {"execute", "executemany", "executescript", "callproc"}


def _database_layer(path: Path) -> bool:
    rel = path.relative_to(PACKAGE)
    return (
        rel.name == "queries.py"
        or rel.parent.name == "queries"
        or rel.as_posix() == "core/db.py"
        or rel.parts[:2] == ("core", "sqlite_backend")
    )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _sql_text(node: ast.AST, docstrings: set[int]) -> str:
    """The node's text if it is a string (an f-string's holes read as `x`) that is SQL."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = "" if id(node) in docstrings else node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value if isinstance(part, ast.Constant) else "x" for part in node.values
        )
    else:
        return ""
    return text.strip() if SQL.search(text) else ""


def _offences(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    # A docstring is prose, and an f-string's parts are judged as the f-string they make.
    docstrings = _docstrings(tree) | {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if _sql_text(node, docstrings):
            found.append(f"{where}:{node.lineno}: SQL string {_sql_text(node, docstrings)[:50]!r}")
        elif isinstance(node, ast.Attribute) and node.attr == "vendor":
            found.append(f"{where}:{node.lineno}: reads the database vendor")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS_SQL
        ):
            found.append(f"{where}:{node.lineno}: runs a statement ({node.func.attr})")
    for number, line in enumerate(text.splitlines(), 1):
        if "noqa: S608" in line:
            found.append(f"{where}:{number}: silences S608")
    return found


def test_sql_lives_only_in_the_database_layer():
    offences = [
        offence
        for path in app_graph.source_files()
        if not _database_layer(path)
        for offence in _offences(path)
    ]
    assert offences == [], "\n".join(offences)


@pytest.mark.parametrize(
    "source",
    [
        'X = "SELECT id FROM venue_zone WHERE expo_id = %s"',
        "X = f'UPDATE {t} SET n = n + 1'",
        "def f(c):\n    c.execute(Q)",
        "from django.db import connection\nV = connection.vendor",
        'X = "DELETE FROM a"  # noqa: S608',
    ],
)
def test_the_sql_check_finds_each_kind_of_offence(tmp_path, source):
    path = PACKAGE / "_probe_module.py"
    try:
        path.write_text(source, encoding="utf-8")
        assert _offences(path)
    finally:
        path.unlink()


def test_prose_and_docstrings_are_not_sql():
    path = PACKAGE / "_probe_module.py"
    try:
        path.write_text(
            '"""One conditional UPDATE decides it: SELECT … FROM is in queries.py."""\n'
            'HELP = "Select the zone from the list, then update it."\n',
            encoding="utf-8",
        )
        assert _offences(path) == []
    finally:
        path.unlink()


def test_every_app_has_a_layer():
    apps = {app_graph.app_of(path) for path in app_graph.source_files()}
    for app in apps:
        app_graph.layer_of(app)  # raises KeyError for an app no layer names


def test_apps_import_only_apps_below_them():
    upward = [
        f"{source} → {target}: {', '.join(where)}"
        for (source, target), where in app_graph.app_imports().items()
        if app_graph.layer_of(target) >= app_graph.layer_of(source)
    ]
    assert upward == [], "\n".join(upward)


def test_the_architecture_document_draws_the_graph_the_code_has():
    text = app_graph.DOC.read_text(encoding="utf-8")
    assert text == app_graph.document_with_graph(text), (
        "docs/architecture.md is out of date: run `python scripts/app_graph.py --write`"
    )
