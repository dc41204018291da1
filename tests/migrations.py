"""Moving a test database along its migrations, for tests of data that migrations carry."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets) -> None:
    """Migrate the test database to `targets` ((app, migration) pairs; None for none)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaf_nodes(*apps: str) -> list[tuple[str, str]]:
    """The latest migration of each app."""
    graph = MigrationExecutor(connection).loader.graph
    return [node for app in apps for node in graph.leaf_nodes(app)]
