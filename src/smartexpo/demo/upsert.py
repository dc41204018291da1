"""The seeder's one way to write rows: insert the new, update the changed, leave the rest.

Upserting thousands of unchanged rows on every `make demo` costs seconds of SQL for nothing;
reading them first and comparing costs milliseconds, so a second seed writes only what a new
plan changed and keeps every id.
"""

from __future__ import annotations

from django.db import models


def upsert(
    model: type[models.Model], rows: list[models.Model], unique: list[str], update: list[str]
) -> int:
    """Insert the rows that are new by their natural key `unique` (field names), update those
    whose `update` fields differ, skip the others; returns how many were written. The rows of
    one call belong to one edition when `expo` is part of the key."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in (*unique, *update)]
    names = [f.attname for f in fields]
    existing = model.objects.all()
    if "expo" in unique:
        existing = existing.filter(expo_id=rows[0].expo_id)
    keys = len(unique)
    have = {values[:keys]: values[keys:] for values in existing.values_list(*names).iterator(2000)}
    changed = [
        row
        for row in rows
        if have.get(tuple(getattr(row, n) for n in names[:keys]))
        != tuple(getattr(row, n) for n in names[keys:])
    ]
    if changed:
        model.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=update,
            batch_size=500,
        )
    return len(changed)
