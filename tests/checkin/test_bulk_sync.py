"""The batch path's check-in decides and records every scan exactly as the sync does."""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartexpo.checkin.models import Scan
from smartexpo.checkin.schemas import ScanPayload
from smartexpo.checkin.services.bulk_sync import scans_facts, scans_sync_apply, scans_sync_plan
from smartexpo.checkin.services.sync import scans_sync_many
from smartexpo.crowd.models import PendingMovement
from smartexpo.devices.auth import Scanner
from smartexpo.devices.services import device_create
from smartexpo.tickets.models import Ticket
from smartexpo.tickets.services.cancellation import registration_cancel
from tests.checkin.conftest import PRO_DAYS, issue

TZ = dt.timezone(dt.timedelta(hours=8))


def payloads(items: list) -> list:
    """(scanner, scan) pairs as the sync takes them: each scan checked by its schema."""
    return [(scanner, ScanPayload.model_validate(scan)) for scanner, scan in items]


DAYS = [dt.datetime(2019, 8, d, 10, tzinfo=TZ) for d in (26, 27, 29)]

scan = st.tuples(
    st.integers(0, 1),  # scanner: North serves G1; Hall serves G1 and G-N1
    st.integers(0, 4),  # ticket: day pass, pro pass, revoked, garbage, a forged signature
    st.sampled_from(["G1", "G-N1", "NOPE"]),
    st.sampled_from(["in", "out"]),
    st.integers(0, 2),  # day
    st.integers(0, 7),  # nonce: small, so some repeat
)


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(scans=st.lists(scan, min_size=1, max_size=40))
def test_the_batch_path_records_what_the_sync_records(expo, types, scans):
    _compare(expo, scans)


@PROPERTY
@given(scans=st.lists(scan, min_size=1, max_size=40))
def test_reading_the_whole_editions_tickets_changes_no_decision(expo, types, scans, monkeypatch):
    # A stream of many tickets reads the edition's tickets in one pass instead of by serial.
    monkeypatch.setattr("smartexpo.checkin.queries.WHOLE_EDITION_ABOVE", 0)
    _compare(expo, scans)


def _compare(expo, scans):
    with transaction.atomic():
        north, _ = device_create(expo=expo, name="North", kind="scanner", gates=["G1"])
        hall, _ = device_create(expo=expo, name="Hall", kind="scanner", gates=["G1", "G-N1"])
        scanners = [
            Scanner(north.pk, expo.pk, "North", frozenset({"G1"})),
            Scanner(hall.pk, expo.pk, "Hall", frozenset({"G1", "G-N1"})),
        ]
        day_pass = issue(expo)[1]
        pro_pass = issue(expo, code="pro", days=PRO_DAYS)[1]
        revoked_ticket, revoked = issue(expo)
        registration_cancel(registration=revoked_ticket.registration)
        forged = pro_pass[:-4] + ("AAAA" if not pro_pass.endswith("AAAA") else "BBBB")
        # Before the batch: the pro pass already inside on the 26th, and North's nonce n0 used.
        scans_sync_many(
            expo=expo,
            items=payloads(
                [
                    (
                        scanners[0],
                        {
                            "secret": pro_pass,
                            "gate": "G1",
                            "direction": "in",
                            "nonce": "n0",
                            "scanned_at": (DAYS[0] - dt.timedelta(hours=1)).isoformat(),
                        },
                    )
                ]
            ),
        )
        PendingMovement.objects.all().delete()  # only what each run adds is compared
        secrets = [day_pass, pro_pass, revoked, "garbage", forged]
        at = [DAYS[d] + dt.timedelta(minutes=i) for i, (*_, d, _n) in enumerate(scans)]
        items = [
            (
                scanners[s],
                {
                    "secret": secrets[t],
                    "gate": gate,
                    "direction": direction,
                    "nonce": f"n{n}",
                    "scanned_at": at[i].isoformat(),
                },
            )
            for i, (s, t, gate, direction, _d, n) in enumerate(scans)
        ]
        want = _recorded(lambda: scans_sync_many(expo=expo, items=payloads(items)))
        frame = pl.DataFrame(
            {
                "device": [scanners[s].name for s, *_ in scans],
                "secret": [secrets[t] for _s, t, *_ in scans],
                "gate": [g for _s, _t, g, *_ in scans],
                "direction": [d for _s, _t, _g, d, *_ in scans],
                "nonce": [f"n{n}" for *_, n in scans],
                "at": at,
            },
            schema_overrides={"at": pl.Datetime("us", "UTC")},
        )

        def bulk():
            by_name = {s.name: s for s in scanners}
            facts = scans_facts(expo=expo, scanners=by_name, frame=frame)
            plan = scans_sync_plan(expo=expo, scanners=by_name, facts=facts)
            scans_sync_apply(plan)
            return plan

        got = _recorded(bulk)
        plan = got.pop("result")
        want.pop("result")
        assert got.pop("pending") == []  # the batch path hands its movements to its caller
        assert got == {k: v for k, v in want.items() if k != "pending"}
        moved = sorted(
            (z, at, d, v or None)
            for z, at, d, v in zip(
                plan.movement_zone.tolist(),
                plan.movement_at_us.tolist(),
                plan.movement_delta.tolist(),
                plan.movement_visitor.tolist(),
                strict=True,
            )
        )
        assert moved == want["pending"]
        transaction.set_rollback(True)


@given(
    secrets=st.lists(
        st.one_of(
            st.text(
                alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                min_size=104,
                max_size=120,
            ),
            st.text(max_size=130),
            st.sampled_from(["", "AAAA", "A" * 112, "A" * 111, "=" * 112]),
        ),
        max_size=30,
    ),
    flip=st.integers(0, 111),
)
def test_secrets_parsed_in_a_batch_are_parsed_as_one_by_one(secrets, flip):
    from smartexpo.tickets.secrets_batch import parse_secrets
    from smartexpo.tickets.ticket_secrets import (
        SecretError,
        TicketClaims,
        generate_private_key,
        parse_secret,
        sign_secret,
    )

    key = generate_private_key()
    real = sign_secret(
        TicketClaims(serial=42, type_id=3, days=(dt.date(2019, 8, 26),)), kid=1, private_key=key
    )
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    changed = real[:flip] + alphabet[(alphabet.index(real[flip]) + 1) % 64] + real[flip + 1 :]
    batch = [real, changed, *secrets, real[:-1], real + "A", 7, None]

    def one(secret):
        try:
            return parse_secret(secret)
        except SecretError:
            return None

    assert parse_secrets(batch) == [one(s) for s in batch]


def _recorded(run) -> dict:
    """What a run leaves in the database (rolled back after): the log and ticket states."""
    with transaction.atomic():
        result = run()
        log = list(
            Scan.objects.order_by("scanned_at", "device_id", "nonce").values_list(
                "device_id",
                "nonce",
                "gate_code",
                "direction",
                "result",
                "reason",
                "rule",
                "serial",
                "ticket_id",
                "zone_id",
                "scanned_at",
            )
        )
        states = dict(Ticket.objects.values_list("id", "inside_day"))
        pending = sorted(
            PendingMovement.objects.values_list("zone_id", "at_us", "delta", "visitor")
        )
        transaction.set_rollback(True)
    return {"log": log, "states": states, "pending": pending, "result": result}
