"""`core.db`: the driver's own cursor and what its rows need to become Python values."""

import datetime as dt

import pytest

from smartexpo.core.db import date_value, driver_cursor, driver_sql
from smartexpo.venue.models import Expo

pytestmark = pytest.mark.django_db


def test_a_date_read_through_the_drivers_cursor_is_a_date_on_either_database():
    expo = Expo.objects.create(
        slug="db-2019",
        name_en="DB",
        name_zh="DB",
        starts_on=dt.date(2019, 8, 26),
        ends_on=dt.date(2019, 8, 29),
    )
    with driver_cursor() as cursor:
        cursor.execute(driver_sql("SELECT starts_on FROM venue_expo WHERE id = %s"), (expo.pk,))
        (raw,) = cursor.fetchone()
    assert date_value(raw) == dt.date(2019, 8, 26)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.date(2019, 8, 26), dt.date(2019, 8, 26)),
        ("2019-08-26", dt.date(2019, 8, 26)),
        (None, None),
    ],
)
def test_date_value_takes_a_date_its_text_or_null(raw, expected):
    assert date_value(raw) == expected


def test_date_value_refuses_text_that_is_no_date():
    with pytest.raises(ValueError, match="Invalid isoformat"):
        date_value("26/08/2019")
