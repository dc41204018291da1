"""Instants in requests: ISO 8601 with a UTC offset, read by one rule everywhere.

A scan's `scanned_at`, a sensor event's `at`, the occupancy's `?at=` and the keys package's
`?since=` are all instants a device or a person wrote down. They are read here, once, and the
API's schemas declare them with `Instant`, so the OpenAPI document says what the server
accepts: a string (never a number of seconds), with its offset, within the years an expo can
be held in (so that moving it to UTC or to the next day never overflows).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.dateparse import parse_datetime
from pydantic import PlainValidator, WithJsonSchema

YEARS = (1971, 9998)
MESSAGE = "An ISO 8601 date and time with its UTC offset, for example 2019-08-26T10:00:00+08:00."


def parse_instant(value) -> dt.datetime | None:
    """An ISO 8601 instant with its UTC offset, or None. A space where the offset's `+` was is
    read as the `+` it was before a query string decoded it."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > 6 and text[-6] == " " and text[-3] == ":":
        text = text[:-6] + "+" + text[-5:]
    try:
        # fromisoformat reads what devices send at a tenth of the cost of Django's parser,
        # which stays the fallback for the few forms only it accepts.
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parse_datetime(text)
        except ValueError:
            return None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    # At the ends of the calendar an instant overflows once moved to UTC or to the next day's
    # count period; no expo is held there.
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        return None
    return parsed


def _instant(value) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value  # already read (a schema validated twice)
    parsed = parse_instant(value)
    if parsed is None:
        raise ValueError(MESSAGE)
    return parsed


# A schema field for an instant: the validator above, documented as what it accepts.
Instant = Annotated[
    dt.datetime,
    PlainValidator(_instant),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": f"ISO 8601 with its UTC offset, years {YEARS[0]} to {YEARS[1]}",
        }
    ),
]
