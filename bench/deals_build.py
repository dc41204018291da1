"""The deals benchmark's edition, built inside Django (`bench/deals.py` runs it through
`smartexpo shell`): the demo's sce-2019 grown to `BENCH_DEALS` deals, then its change log to
`BENCH_ENTRIES` entries. Prints one `BENCH-JSON {...}` line with what the answers must say.

The deals: the demo's own plan (`demo.deals.deals_plan`, drawn again with further seeds, each
deal with a fresh `ref` "bench-…"), entered and followed up through `deal_create` and
`deal_status_set`, like the demo, in transactions of `CHUNK` deals.

The rest of the log: every edition with years of follow-up carries more entries than deals,
and building 100,000 of them through `deal_update` (about 20 ms each on the 2-core machine)
would take half an hour. So the entries beyond what the deals' own creation and moves wrote are
appended through `services.ledger.log_append` — the one function that numbers, chains and
hashes an entry — each re-stating one deal's present `status` and `status_on` (a change that
sets a field to the value it has). Replaying the log still gives every deal's state; nothing is
written to the deals. The run says how many entries came this way.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace

from django.db import transaction

from smartexpo.deals.models import Deal, LogEntry
from smartexpo.deals.selectors import deals_public, head, totals
from smartexpo.deals.services.deals import deal_create, deal_status_set
from smartexpo.deals.services.ledger import log_append
from smartexpo.demo.deals import ORDER, demo_deals_plan
from smartexpo.venue.models import Expo

CHUNK = 500
ENTRY_CHUNK = 5_000


def grow_deals(expo: Expo, target: int) -> dict:
    have = Deal.objects.filter(expo=expo).count()
    created = moves = 0
    seed = 1
    began = time.perf_counter()
    while have < target:
        plan = demo_deals_plan(expo=expo, seed=10_000 + seed)
        plan = [
            replace(d, ref=f"bench-{seed}-{d.ref}", data={**d.data, "ref": f"bench-{seed}-{d.ref}"})
            for d in plan
        ][: target - have]
        taken = set(
            Deal.objects.filter(expo=expo, ref__in=[d.ref for d in plan]).values_list(
                "ref", flat=True
            )
        )
        for start in range(0, len(plan), CHUNK):
            with transaction.atomic():
                for deal in plan[start : start + CHUNK]:
                    if deal.ref in taken:
                        continue
                    pk = deal_create(expo=expo, data=deal.data).pk
                    created += 1
                    status = "signed"
                    for move, on, evidence in deal.moves:
                        if ORDER[move] > ORDER[status]:
                            deal_status_set(
                                expo=expo, deal_id=pk, status=move, on=on, evidence=evidence
                            )
                            status = move
                            moves += 1
            print(f"deals: {have + start + CHUNK:,}", flush=True)
        have = Deal.objects.filter(expo=expo).count()
        seed += 1
    return {"created": created, "moves": moves, "seconds": time.perf_counter() - began}


def grow_log(expo: Expo, target: int) -> dict:
    entries, _ = head(expo=expo)
    deals = list(
        Deal.objects.filter(expo=expo).order_by("pk").values_list("pk", "status", "status_on")
    )
    appended = 0
    began = time.perf_counter()
    while entries < target:
        with transaction.atomic():
            for _ in range(min(ENTRY_CHUNK, target - entries)):
                pk, status, status_on = deals[entries % len(deals)]
                log_append(
                    expo=expo,
                    deal_id=pk,
                    change={"status": status, "status_on": status_on.isoformat()},
                )
                entries += 1
                appended += 1
        print(f"entries: {entries:,}", flush=True)
    return {"appended": appended, "seconds": time.perf_counter() - began}


def main() -> None:
    expo = Expo.objects.get(slug=os.environ.get("BENCH_EXPO", "sce-2019"))
    deals = grow_deals(expo, int(os.environ["BENCH_DEALS"]))
    log = grow_log(expo, int(os.environ["BENCH_ENTRIES"]))
    sums = totals(expo=expo)
    entries, head_hash = head(expo=expo)
    out = {
        "deals": Deal.objects.filter(expo=expo).count(),
        "listed": deals_public(expo=expo).count(),
        "projects": sums["projects"],
        "amount": sums["amount"],
        "at_expo": sums["at_expo"],
        "entries": entries,
        "entries_rows": LogEntry.objects.filter(expo=expo).count(),
        "head": head_hash,
        "confidential": list(
            Deal.objects.filter(expo=expo, amount_confidential=True).values_list("pk", flat=True)
        ),
        "build": {"deals": deals, "log": log},
    }
    print("BENCH-JSON " + json.dumps(out))


main()
