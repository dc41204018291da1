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
    """The latest migration of each app (of every app when none is named). A test that
    migrates back must come forward to every app's latest: going back unapplies the
    migrations of other apps that depend on the ones it undoes (leads, recommend), and
    coming forward to its own apps' latest alone leaves those out for the tests after it."""
    graph = MigrationExecutor(connection).loader.graph
    if not apps:
        return graph.leaf_nodes()
    return [node for app in apps for node in graph.leaf_nodes(app)]
