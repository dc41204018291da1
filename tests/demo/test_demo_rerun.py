"""`make demo` a second time: the visitors already registered stay (with their tickets, which
the check-in log and the sensors know), whatever the digital twin added in between."""

import pytest
from django.core.management import call_command

from smartexpo.demo.seed import demo_seed
from smartexpo.demo.simulator.stream import run_prepare
from smartexpo.demo.visitors import TWIN_FIRST_INDEX, demo_visitor_indexes, demo_visitors_seed
from smartexpo.tickets.models import DayQuota, Registration, Ticket
from smartexpo.venue.models import Expo

pytestmark = pytest.mark.django_db


def people(expo):
    """Who the demo's visitors are, by registration id."""
    return {
        pk: (email, name, code, tuple(days))
        for pk, email, name, code, days in Ticket.objects.filter(
            expo=expo, registration__source="demo"
        ).values_list(
            "registration_id",
            "registration__email",
            "registration__name",
            "ticket_type__code",
            "days",
        )
    }


def test_seeding_again_after_the_twin_registered_more_people_keeps_everybody(capsys):
    call_command(
        "demo", "seed", "--seed", "3", "--quiet", "--visitors", "300", "--solve-seconds", "0"
    )
    expo = Expo.objects.get(slug="sce-2019")
    seeded = people(expo)
    # A simulated day with more visitors than the day has tickets: the twin registers the
    # missing ones, as the README's one-day run does.
    run_prepare(expo=expo, visitors=400, days=range(1), seed=3, sensor_miss=0, say=print)
    assert "more demo visitors" in capsys.readouterr().out
    after_twin = people(expo)
    extra = after_twin.keys() - seeded.keys()
    assert extra and seeded.items() <= after_twin.items()
    assert min(i for i in demo_visitor_indexes(expo) if i >= 300) == TWIN_FIRST_INDEX

    call_command(
        "demo", "seed", "--seed", "3", "--quiet", "--visitors", "300", "--solve-seconds", "0"
    )
    assert "sce-2019: 300 registered visitors" in capsys.readouterr().out
    assert people(expo) == after_twin  # nobody registered again, nobody removed
    # A second twin run numbers its people after the first one's: nobody twice.
    run_prepare(expo=expo, visitors=800, days=range(1), seed=3, sensor_miss=0, say=print)
    emails = list(Registration.objects.filter(expo=expo).values_list("email", flat=True))
    assert len(emails) == len(set(emails)) > len(after_twin)


def test_another_count_registers_or_removes_only_the_difference():
    demo_seed(seed=7)
    expo = Expo.objects.get(slug="sce-2019")
    assert demo_visitors_seed(expo=expo, count=300, seed=7) == 300
    whole = people(expo)
    Registration.objects.all().delete()
    DayQuota.objects.update(sold=0)

    assert demo_visitors_seed(expo=expo, count=200, seed=7) == 200
    first = people(expo)
    steps = []
    assert demo_visitors_seed(expo=expo, count=300, seed=7, progress=steps.append) == 300
    assert steps == [200, 100]  # the 200 already there, then the 100 registered
    grown = people(expo)
    assert first.items() <= grown.items()
    # Visitor i is the same person as in a demo seeded with 300 at once.
    assert sorted(grown.values()) == sorted(whole.values())

    assert demo_visitors_seed(expo=expo, count=250, seed=7) == 250
    shrunk = people(expo)
    assert shrunk.items() <= grown.items() and len(shrunk) == 250
    assert {email for email, *_ in shrunk.values()} == {
        f"visitor{i}@example.cn" for i in range(250)
    }
    sold = sum(DayQuota.objects.filter(ticket_type__expo=expo).values_list("sold", flat=True))
    assert sold == sum(len(days) for *_, days in shrunk.values())
