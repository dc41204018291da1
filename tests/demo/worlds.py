"""A demo world built once per test module: seeding both editions (and a few thousand demo
visitors) takes seconds, several times more on PostgreSQL, and most tests here only read it.

`demo_world(django_db_blocker, build)` runs `build()` inside a transaction held open for the
module and rolled back after its last test. Each test still runs in its own savepoint on top
(pytest-django's `db`, as Django's `TestCase.setUpTestData` does), so what one test changes the
next never sees, and the database is as empty after the module as before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def demo_world(django_db_blocker, build: Callable[[], object]) -> Iterator[object]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
