"""Model fields for tables of tens of millions of rows, where bytes per row are time.

Measured on the sensor-event table (bench/RESULTS.md): SQLite stores an aware datetime as 26
characters of text and keeps `sqlite_sequence` in step for every AUTOINCREMENT insert; an
8-byte integer and a plain rowid key store events a third faster.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

from smartexpo.core.db import is_sqlite

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


class RowidAutoField(models.BigAutoField):
    """A BigAutoField that SQLite keeps as a plain rowid (INTEGER PRIMARY KEY without
    AUTOINCREMENT): an id may be reused only after the highest rows are deleted, which tables
    of append-only records never do. Other databases are unaffected."""

    def db_type_suffix(self, connection):
        if is_sqlite(connection):
            return None
        return super().db_type_suffix(connection)


class EpochMicrosecondsField(models.DateTimeField):
    """An aware datetime stored as whole microseconds since the Unix epoch (UTC) in a 64-bit
    integer. Compared and ordered as a number; Python sees a UTC datetime as usual. Date
    functions of the database (`__date`, truncation) do not apply to it."""

    description = "Date and time (microseconds since the epoch)"

    def get_internal_type(self):
        # The database sees an integer: no datetime adapters or converters of its backend.
        return "BigIntegerField"

    def db_type(self, connection):
        return "bigint"

    def rel_db_type(self, connection):  # pragma: no cover - never a foreign key target
        return "bigint"

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValidationError("An aware datetime is required.")
        return (value - EPOCH) // MICROSECOND

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return EPOCH + dt.timedelta(microseconds=int(value))


class ScaledDecimalField(models.BigIntegerField):
    """An exact decimal with a fixed number of places, stored as a 64-bit integer of its
    smallest unit (cents for `places=2`).

    SQLite gives a DECIMAL column numeric affinity: "0.10" is stored as the float 0.1, and 17
    significant digits come back rounded. Money and rates must add up exactly on both
    databases, so they never pass through a float: Python sees a `Decimal`, the database an
    integer. A value with more places than the field holds is refused, never rounded."""

    description = "Exact decimal (stored as an integer of its smallest unit)"

    def __init__(self, *args, places: int = 2, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["places"] = self.places
        return name, path, args, kwargs

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value)) if not isinstance(value, float) else Decimal(repr(value))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError("Enter a number.", code="invalid") from exc

    def get_prep_value(self, value):
        if value is None:
            return None
        value = self.to_python(value)
        scaled = value.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValidationError(
                f"At most {self.places} decimal places.", code="max_decimal_places"
            )
        return int(scaled)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)

    def formfield(self, **kwargs):
        from django import forms

        defaults = {"form_class": forms.DecimalField, "decimal_places": self.places}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)
