"""A deal as the public sees it: the fields its log entries carry and its public answers give.

`public_fields` is the one rule for what is public. A confidential amount leaves out the
amount, its currency, rate and yuan value (the tally still counts it); the organiser's
reference, documents and evidence texts are never public.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from smartexpo.deals.models import AMOUNT_PLACES, RATE_PLACES, Deal, DealParty

AMOUNT_FIELDS = ("amount", "currency", "rate", "rate_on", "amount_cny", "amount_estimated")


def money(value: Decimal) -> str:
    """An amount as its decimal string with exactly two places ("816900000000.00")."""
    return f"{value.quantize(Decimal(1).scaleb(-AMOUNT_PLACES)):f}"


def rate_text(value: Decimal) -> str:
    """A rate as a decimal string without trailing zeros beyond what it has ("7.0814")."""
    text = f"{value.quantize(Decimal(1).scaleb(-RATE_PLACES)):f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def party_public(party: DealParty) -> dict[str, Any]:
    exhibitor = party.exhibitor
    if exhibitor is not None:
        names = {"en": exhibitor.name_en, "zh": exhibitor.name_zh or exhibitor.name_en}
    else:
        names = {"en": party.name_en, "zh": party.name_zh or party.name_en}
    return {
        "exhibitor": exhibitor.slug if exhibitor is not None else None,
        "name": names,
        "country": party.country,
        "region": party.region,
        "city": party.city,
    }


def public_fields(deal: Deal, parties: list[DealParty]) -> dict[str, Any]:
    """Every public field of `deal` (with its `parties` in order) as JSON values."""
    fields: dict[str, Any] = {
        "title": {"en": deal.title_en, "zh": deal.title_zh},
        "summary": {"en": deal.summary_en, "zh": deal.summary_zh},
        "sector": deal.sector.code,
        "kind": deal.kind,
        "investment_form": deal.investment_form,
        "amount_confidential": deal.amount_confidential,
        "signed_on": _day(deal.signed_on),
        "at_expo": deal.at_expo,
        "ceremony": deal.ceremony_id,
        "status": deal.status,
        "status_on": _day(deal.status_on),
        "parties": [party_public(p) for p in parties],
    }
    if not deal.amount_confidential:
        fields.update(
            amount=money(deal.amount),
            currency=deal.currency,
            rate=rate_text(deal.rate),
            rate_on=_day(deal.rate_on),
            amount_cny=money(deal.amount_cny),
            amount_estimated=deal.amount_estimated,
        )
    return fields


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """The public fields `after` sets that differ from `before` (all of them for a new deal)."""
    if before is None:
        return dict(after)
    return {key: value for key, value in after.items() if before.get(key) != value}
