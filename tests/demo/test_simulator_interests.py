"""The twin's booth visits drawn from the visitors' hidden interests (`--booth-visits`), their
sensor tags naming the ticket, and the demo visitors' profiles declared from the same
interests."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartexpo.demo.interests import hidden_interests, visitor_interests
from smartexpo.demo.seed import demo_seed
from smartexpo.demo.simulator.stream import day_arrays, day_frame, run_prepare
from smartexpo.demo.visitors import EMAIL, demo_visitors_seed
from smartexpo.tickets.models import Registration, Ticket
from smartexpo.venue.models import SHAREABLE_FIELDS, Booth, Expo
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        demo_seed(seed=7)
        expo = Expo.objects.get(slug="sce-2019")
        demo_visitors_seed(expo=expo, count=1_500, seed=7)
        return expo.pk

    with demo_world(django_db_blocker, build) as pk:
        yield pk


@pytest.fixture
def demo(world):
    return Expo.objects.get(pk=world)


def booth_events(expo, mode: str):
    run = run_prepare(
        expo=expo, visitors=1_200, days=range(1), seed=5, sensor_miss=0, say=print,
        booth_visits=mode,
    )  # fmt: skip
    frame = day_frame(run, day_arrays(run, 0), 0)
    booths = {b for h in run.venue.halls for b in h.booths}
    sensors = frame.filter(frame["source"] == "sensor")
    return run, sensors.filter(sensors["zone"].is_in(booths) & (sensors["kind"] == "enter"))


def sector_of_booth_zone(expo) -> dict[str, str]:
    booths = Booth.objects.filter(expo=expo, zone__isnull=False, assignment__isnull=False)
    return dict(booths.values_list("zone__code", "assignment__exhibitor__sector__code"))


def in_hidden_sectors(expo, events, holder_index) -> float:
    """The share of booth visits at an exhibitor of one of the visitor's hidden sectors."""
    sector = sector_of_booth_zone(expo)
    hits = total = 0
    for tag, zone in events.select("visitor", "zone").iter_rows():
        if zone not in sector:
            continue
        total += 1
        hits += sector[zone] in hidden_interests(holder_index(tag)).sectors
    return hits / total


def test_booth_visits_follow_hidden_interests_and_tags_name_the_ticket(demo):
    run, events = booth_events(demo, "interests")
    assert events.height > 1_000
    index_of = {}
    for serial, email in Ticket.objects.filter(expo=demo).values_list(
        "serial", "registration__email"
    ):
        index_of[f"ticket:{serial}"] = int(EMAIL.fullmatch(email).group(1))
    tags = set(events["visitor"].to_list())
    assert tags <= index_of.keys()  # every booth visit names a real ticket's serial
    share = in_hidden_sectors(demo, events, index_of.__getitem__)

    _run, area = booth_events(demo, "area")
    assert area["visitor"].str.starts_with("v").all()
    by_position = {f"v{n}": _index_of_position(run, n) for n in range(len(run.pool.ids))}
    area_share = in_hidden_sectors(demo, area, by_position.__getitem__)
    # Interests concentrate visits on the visitor's sectors; area alone does not know them.
    assert share > 1.5 * area_share, (share, area_share)
    assert run.prefix != _run.prefix  # the two modes never share event ids


def _index_of_position(run, position: int) -> int:
    email = Registration.objects.get(pk=run.pool.registrations[position]).email
    return int(EMAIL.fullmatch(email).group(1))


def test_interest_mode_is_deterministic(demo):
    run = run_prepare(expo=demo, visitors=600, days=range(1), seed=9, sensor_miss=0, say=print)
    first, again = day_arrays(run, 0), day_arrays(run, 0)
    assert np.array_equal(first.event_zone, again.event_zone)
    assert np.array_equal(first.event_at, again.event_at)


def test_demo_visitors_declare_a_profile_drawn_from_their_hidden_interests(demo):
    rows = list(
        Registration.objects.filter(expo=demo, source="demo").values_list(
            "email", "sectors", "intents", "company", "title", "share", "interests",
            "ticket_type__code",
        )
    )  # fmt: skip
    with_profile = [r for r in rows if r[4]]
    public = [r for r in rows if r[7] == "public-day"]
    business = [r for r in rows if r[7] != "public-day"]
    assert business and public
    # Most business visitors answer the questions; few public-day visitors do.
    assert sum(1 for r in business if r[4]) > 0.7 * len(business)
    assert sum(1 for r in public if r[4]) < 0.45 * len(public)
    assert with_profile
    for email, sectors, intents, company, title, share, tags, _code in with_profile:
        _hidden, profile = visitor_interests(int(EMAIL.fullmatch(email).group(1)))
        assert (sectors, intents, company, title, tags) == (
            list(profile.sectors),
            list(profile.intents),
            profile.company,
            profile.title,
            list(profile.tags),
        )
        assert set(share) <= set(SHAREABLE_FIELDS)
    assert any(not r[5] for r in with_profile) and any(r[5] for r in with_profile)


def test_simulate_command_takes_the_booth_visits_option(demo, tmp_path):
    out = tmp_path / "area.parquet"
    call_command(
        "simulate", "--quiet", "--visitors", "300", "--days", "1", "--booth-visits", "area",
        "--dry-run", str(out),
    )  # fmt: skip
    assert out.exists()
    with pytest.raises(CommandError):
        call_command("simulate", "--quiet", "--booth-visits", "random", "--dry-run", str(out))
