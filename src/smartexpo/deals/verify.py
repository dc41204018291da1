"""Checking a ledger as an outsider would (docs/deals-ledger.md, "Verifying"): recompute the
chain from the public log, check the tally's signature with the published key, and replay the
log's changes to recompute the totals the tally claims.

`ledger_check` works on the three public answers (log entries, keys, tally) and nothing else,
so the same code checks a remote server (`remote_answers`, over HTTP) and the local database
(`local_answers`, plus what only the database can show: that every deal is what its log says).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from smartexpo.deals import chain

AMOUNT_KEYS = ("amount", "currency", "rate", "rate_on", "amount_cny", "amount_estimated")
PAGE = 200


@dataclass
class Report:
    """What a check found: `problems` is empty when the ledger holds."""

    entries: int = 0
    deals: int = 0
    projects: int = 0
    amount: str = "0.00"
    head: str = chain.ZERO_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def replay(entries: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each deal's public fields after the entries, in order. A deal whose amount turned
    confidential loses its public amount from then on."""
    deals: dict[int, dict[str, Any]] = {}
    for entry in entries:
        state = deals.setdefault(entry["deal"], {})
        change = entry.get("change") or {}
        state.update(change)
        if change.get("amount_confidential") is True:
            for key in AMOUNT_KEYS:
                state.pop(key, None)
    return deals


def _decimal(text: Any) -> Decimal | None:
    if not isinstance(text, str):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _signature_problems(tally: dict, keys: dict) -> list[str]:
    from cryptography.exceptions import InvalidSignature

    from smartexpo.tickets.ticket_secrets import load_public_key_b64

    published = {k.get("kid"): k.get("public_key") for k in keys.get("keys", [])}
    public = published.get(tally.get("kid"))
    if public is None:
        return [f"the tally is signed by key {tally.get('kid')!r}, which is not published"]
    try:
        load_public_key_b64(public).verify(
            chain.b64url_decode(tally.get("signature", "")), chain.tally_message(tally)
        )
    except (InvalidSignature, ValueError, TypeError):
        return ["the tally's signature does not verify with its published key"]
    return []


def _totals_problems(tally: dict, states: dict[int, dict]) -> list[str]:
    problems = []
    live = {d: s for d, s in states.items() if s.get("status") != "cancelled"}
    hidden = {d: s for d, s in live.items() if s.get("amount_confidential")}
    public_sum = Decimal(0)
    by_sector: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    by_kind: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for state in live.values():
        yuan = Decimal(0) if state.get("amount_confidential") else _decimal(state.get("amount_cny"))
        if yuan is None:
            problems.append("a public deal's yuan amount is missing or not a decimal string")
            yuan = Decimal(0)
        public_sum += yuan
        for bucket in (by_sector[state.get("sector")], by_kind[state.get("kind")]):
            bucket[0] += 1
            bucket[1] += yuan
    if tally.get("projects") != len(live):
        problems.append(
            f"the tally counts {tally.get('projects')} projects; the log has {len(live)}"
        )
    at_expo = sum(1 for s in live.values() if s.get("at_expo") is True)
    if tally.get("at_expo") != at_expo:
        problems.append(
            f"the tally counts {tally.get('at_expo')} at the expo; the log has {at_expo}"
        )
    confidential = tally.get("confidential") or {}
    hidden_amount = _decimal(confidential.get("amount"))
    total = _decimal(tally.get("amount"))
    if confidential.get("projects") != len(hidden):
        problems.append("the tally's confidential projects differ from the log's")
    if hidden_amount is None or total is None or total != public_sum + hidden_amount:
        problems.append(
            f"the tally's amount {tally.get('amount')} is not the public amounts {public_sum:f} "
            f"plus the confidential total {confidential.get('amount')}"
        )
    for name, expected, rows in (
        ("sector", by_sector, tally.get("by_sector") or []),
        ("kind", by_kind, tally.get("by_kind") or []),
    ):
        claimed = {row.get(name): row for row in rows}
        if set(claimed) != set(expected):
            problems.append(f"the tally's {name}s differ from the log's")
            continue
        excess = Decimal(0)
        for key, (count, public) in expected.items():
            row_amount = _decimal(claimed[key].get("amount"))
            if claimed[key].get("projects") != count or row_amount is None or row_amount < public:
                problems.append(f"the tally's total for {name} {key!r} differs from the log's")
                continue
            excess += row_amount - public
        if hidden_amount is not None and excess != hidden_amount:
            problems.append(
                f"the tally's totals by {name} do not add up with the confidential part"
            )
    return problems


def ledger_check(*, entries: list[dict], keys: dict, tally: dict) -> Report:
    """Check the public answers of one edition: the chain, the signature, the totals. Entries
    past the tally's `chain_head` (appended after it was signed) are checked as a chain but
    not counted."""
    report = Report(entries=len(entries), head=tally.get("chain_head", ""))
    report.problems += chain.chain_problems(entries)
    head = tally.get("chain_head")
    if head == chain.ZERO_HASH:
        upto = 0
    else:
        upto = next((i + 1 for i, e in enumerate(entries) if e.get("hash") == head), None)
        if upto is None:
            report.problems.append("the tally's chain_head is not the hash of any log entry")
            upto = len(entries)
    report.problems += _signature_problems(tally, keys)
    states = replay(entries[:upto])
    report.deals = len(states)
    report.problems += _totals_problems(tally, states)
    report.projects = tally.get("projects", 0)
    report.amount = tally.get("amount", "")
    return report


def _get(url: str, *, timeout: float) -> Any:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("the server's URL must be http:// or https://")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        # Numbers that are not integers come back as Decimal: the hash then refuses them
        # instead of agreeing with a rounded float.
        return json.loads(answer.read().decode("utf-8"), parse_float=Decimal)


def remote_answers(base: str, expo: str, *, timeout: float = 30.0) -> tuple[list, dict, dict]:
    """(log entries, keys, tally) of an edition from a server's public API at `base`. The
    tally is read first, so that the log read after it reaches its head."""
    root = base.rstrip("/") + "/api/v1/expos/" + urllib.parse.quote(expo, safe="") + "/deals"
    tally = _get(root + "/tally", timeout=timeout)
    keys = _get(root + "/keys", timeout=timeout)
    entries: list[dict] = []
    after = 0
    while True:
        page = _get(f"{root}/log?after={after}&limit={PAGE}", timeout=timeout)
        items = page.get("items") or []
        entries += items
        if not items or len(items) >= page.get("count", 0):
            break
        last = items[-1].get("seq")
        if not isinstance(last, int) or last <= after:
            break
        after = last
    return entries, keys, tally


def remote_check(base: str, expo: str) -> Report:
    """Check an edition's ledger on a server, through its public endpoints only."""
    try:
        entries, keys, tally = remote_answers(base, expo)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Report(problems=[f"could not read the ledger at {base}: {exc}"])
    return ledger_check(entries=entries, keys=keys, tally=tally)


def local_check(*, expo) -> Report:
    """Check an edition's ledger in this database: the public answers as the server gives
    them, plus what only the database shows — the ledger's head is the last entry, and every
    deal's public fields are what its log entries say (a deal edited behind the log's back is
    found), and the totals of the deals themselves are the tally's."""
    from smartexpo.deals import records, selectors
    from smartexpo.deals.keys import keys_package
    from smartexpo.deals.models import Deal, DealParty
    from smartexpo.deals.services.ledger import ENTRY_COLUMNS, entry_bodies

    entries = entry_bodies(
        selectors.log_entries(expo=expo).values_list(*ENTRY_COLUMNS).iterator(chunk_size=5000)
    )
    tally = selectors.tally(expo=expo)
    keys = keys_package(expo=expo)
    report = ledger_check(entries=entries, keys=keys, tally=tally)
    seq, head = selectors.head(expo=expo)
    last = entries[-1]["hash"] if entries else chain.ZERO_HASH
    if head != last or seq != len(entries):
        report.problems.append("the ledger's head is not the log's last entry")
    states = replay(entries)
    # The parties in one pass, grouped by deal (a prefetch per chunk of deals costs more).
    parties: dict[int, list] = {}
    in_order = DealParty.objects.filter(deal__expo=expo).select_related("exhibitor")
    for party in in_order.order_by("deal", "position").iterator(chunk_size=5000):
        parties.setdefault(party.deal_id, []).append(party)
    seen = 0
    for deal in Deal.objects.filter(expo=expo).select_related("sector").iterator(chunk_size=5000):
        seen += 1
        public = records.public_fields(deal, parties.get(deal.pk, []))
        if states.get(deal.pk) != public:
            report.problems.append(f"deal {deal.pk} is not what its log entries say")
    if seen != len(states):
        report.problems.append(f"the log names {len(states)} deals; the database holds {seen}")
    return report
