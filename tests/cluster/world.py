"""What the cluster tests set up and read in the cluster's own database, run as a process of
its own with the cluster's environment (`python -m tests.cluster.world ACTION`): the test
process's Django is bound to the test database, the cluster's servers to their PostgreSQL.

    setup                  the organiser account and the `rush` edition; prints them as JSON
    count SLUG             registrations and sold places of an edition, as JSON
    tags PREFIX            how many technology tags have codes starting with PREFIX
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

ADMIN = "cluster-admin"
ADMIN_PASSWORD = "cluster-admin-password-2019"
ON_SALE_UNTIL = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)


def setup() -> dict:
    """The organiser account and two editions (each with one day pass): `rush` with 15 places
    for the race, `open` with room for everyone the other tests register."""
    from django.contrib.auth import get_user_model

    from smartexpo.tickets.services.ticket_types import ticket_type_create
    from smartexpo.venue.models import Expo

    user_model = get_user_model()
    if not user_model.objects.filter(username=ADMIN).exists():
        user_model.objects.create_superuser(ADMIN, "admin@example.cn", ADMIN_PASSWORD)
    for slug, places in (("rush", 15), ("open", 100_000)):
        if Expo.objects.filter(slug=slug).exists():
            continue
        expo = Expo.objects.create(
            slug=slug,
            name_en=f"Cluster {slug}",
            name_zh=f"集群 {slug}",
            starts_on=dt.date(2019, 8, 26),
            ends_on=dt.date(2019, 8, 29),
            venue_en="Test Center",
            venue_zh="测试中心",
            expected_visitors=1000,
            sales_close_at=ON_SALE_UNTIL,
        )
        ticket_type_create(
            expo=expo,
            code="day",
            name_en="Day",
            days=["2019-08-26"],
            quota_per_day=places,
            zones=[],
        )
    return {"username": ADMIN, "password": ADMIN_PASSWORD}


def count(slug: str) -> dict:
    from smartexpo.tickets.models import DayQuota, Registration, Ticket

    return {
        "registrations": Registration.objects.filter(expo__slug=slug).count(),
        "tickets": Ticket.objects.filter(expo__slug=slug).count(),
        "sold": sum(
            DayQuota.objects.filter(ticket_type__expo__slug=slug).values_list("sold", flat=True)
        ),
        "emails": sorted(
            Registration.objects.filter(expo__slug=slug).values_list("email", flat=True)
        ),
    }


def tags(prefix: str) -> int:
    from smartexpo.exhibitors.models import Tag

    return Tag.objects.filter(code__startswith=prefix).count()


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    import django

    django.setup()
    action, *args = argv
    answer = {"setup": setup, "count": count, "tags": tags}[action](*args)
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
