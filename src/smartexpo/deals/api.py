"""The deals API (docs/api.md, "Deals"; docs/deals-ledger.md): the public list, tally, keys
and change log, and the organiser's entry and follow-up of deals."""

from __future__ import annotations

from django.db.models import Prefetch
from ninja import Query, Router
from ninja.responses import Status

from smartexpo.core.api import Error, bearer, page_bounds
from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.deals import records, selectors
from smartexpo.deals.keys import keys_package
from smartexpo.deals.models import Deal, DealParty, StatusChange
from smartexpo.deals.schemas import (
    DealFilters,
    DealIn,
    DealOut,
    DealPage,
    DealPatch,
    DealRecord,
    KeysOut,
    LogPage,
    LogParams,
    StatusIn,
    TallyOut,
)
from smartexpo.deals.services.deals import deal_create, deal_status_set, deal_update
from smartexpo.deals.services.ledger import entry_body
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Deals"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}
PUBLIC = {404: Error, 422: Error}
D = "/expos/{expo}/deals"
PARTIES = Prefetch(
    "parties", queryset=DealParty.objects.select_related("exhibitor").order_by("position")
)


def _edition(expo: str) -> Expo:
    return venue_selectors.expo_get(slug=expo)


def _organizer(request, expo: str) -> Expo:
    edition = _edition(expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    return edition


def deal_out(deal: Deal, *, full: bool = False) -> dict:
    """A deal as answered: public fields (`records.public_fields`, the one rule), or with
    `full` the organiser's record."""
    public = records.public_fields(deal, list(deal.parties.all()))
    shown = full or not deal.amount_confidential
    out = {
        "id": deal.pk,
        "title": {"en": deal.title_en, "zh": deal.title_zh or deal.title_en},
        "summary": {"en": deal.summary_en, "zh": deal.summary_zh or deal.summary_en},
        "sector": public["sector"],
        "kind": public["kind"],
        "investment_form": public["investment_form"],
        "amount": records.money(deal.amount_cny) if shown else None,
        "currency": "CNY",
        "amount_estimated": deal.amount_estimated if shown else False,
        "original": None,
        "signed_on": deal.signed_on,
        "at_expo": deal.at_expo,
        "ceremony": deal.ceremony_id,
        "status": deal.status,
        "status_on": deal.status_on,
        "parties": public["parties"],
    }
    if shown and deal.currency != "CNY":
        out["original"] = {
            "amount": records.money(deal.amount),
            "currency": deal.currency,
            "rate": records.rate_text(deal.rate),
            "rate_on": deal.rate_on,
        }
    if full:
        out.update(
            ref=deal.ref,
            amount_confidential=deal.amount_confidential,
            version=deal.version,
            status_changes=[
                {"status": c.status, "on": c.on, "evidence": c.evidence, "document": c.document_id}
                for c in StatusChange.objects.filter(deal=deal).order_by("on", "id")
            ],
            documents=deal.documents.count(),
        )
    return out


def _record(expo: Expo, deal_id: int) -> dict:
    deal = (
        Deal.objects.filter(expo=expo, pk=deal_id)
        .select_related("sector")
        .prefetch_related(PARTIES)
        .first()
    )
    if deal is None:
        raise SmartExpoError("not_found", "No such deal.")
    return deal_out(deal, full=True)


@router.get(
    D,
    response={200: DealPage, **PUBLIC},
    summary="The edition's public deals, newest signing first, with filters (public)",
    description="`amount` is in yuan (`currency` CNY); a deal signed in another currency also "
    "gives its `original` amount, currency and the rate kept with it. Deals whose amount is "
    "confidential count in the tally and are not listed.",
)
def list_deals(request, expo: str, filters: Query[DealFilters]):
    qs = selectors.deals_public(
        expo=_edition(expo),
        sector=filters.sector,
        kind=filters.kind,
        status=filters.status,
        at_expo=filters.at_expo,
        country=filters.country,
        region=filters.region,
        q=filters.q,
    )
    count = qs.count()
    start, stop = page_bounds(filters, count)
    items = list(qs.prefetch_related(PARTIES)[start:stop]) if stop > start else []
    return {"count": count, "items": [deal_out(d) for d in items]}


@router.post(
    D,
    auth=bearer,
    response={201: DealRecord, **ERRORS},
    summary="Enter a deal (organiser); logged in the chain",
    description="Amounts are decimal strings (a JSON number is 422). 409 `duplicate_deal`: "
    "its `ref` is taken (`detail.id` names the deal).",
)
def create_deal(request, expo: str, payload: DealIn):
    edition = _organizer(request, expo)
    deal = deal_create(expo=edition, data=payload.as_input())
    return Status(201, _record(edition, deal.pk))


@router.get(
    D + "/tally",
    response={200: TallyOut, **PUBLIC},
    summary="The signed tally: projects and yuan of every deal not cancelled (public)",
    description="`signature`: Ed25519 (base64url) by the key `kid` of `GET …/deals/keys`, over "
    "the UTF-8 canonical JSON of the tally without `signature` (docs/deals-ledger.md).",
)
def get_tally(request, expo: str):
    return selectors.tally(expo=_edition(expo))


@router.get(
    D + "/keys",
    response={200: KeysOut, **PUBLIC},
    summary="The edition's public deals keys, in the format of checkin/keys (public)",
)
def get_keys(request, expo: str):
    return keys_package(expo=_edition(expo))


@router.get(
    D + "/log",
    response={200: LogPage, **PUBLIC},
    summary="The append-only change log of the deals, in order (public, paginated)",
    description="Each entry's `hash` is the SHA-256 of `prev` followed by the canonical JSON "
    "of the entry without `hash` (docs/deals-ledger.md). `after`: only entries after that "
    "`seq`, to resume.",
)
def get_log(request, expo: str, page: Query[LogParams]):
    edition = _edition(expo)
    qs = selectors.log_entries(expo=edition, after=page.after)
    count = qs.count()
    start, stop = page_bounds(page, count)
    items = [entry_body(e) for e in qs[start:stop]] if stop > start else []
    return {"count": count, "items": items}


def _deal_id(deal_id: int) -> int:
    if not 0 < deal_id < 2**53:
        raise SmartExpoError("not_found", "No such deal.")
    return deal_id


@router.get(
    D + "/{deal_id}",
    response={200: DealOut, **PUBLIC},
    summary="One public deal (public); a deal whose amount is confidential is 404 here",
)
def get_deal(request, expo: str, deal_id: int):
    edition = _edition(expo)
    deal = (
        selectors.deals_public(expo=edition)
        .filter(pk=_deal_id(deal_id))
        .prefetch_related(PARTIES)
        .first()
    )
    if deal is None:
        raise SmartExpoError("not_found", "No such deal.")
    return deal_out(deal)


@router.get(
    D + "/{deal_id}/record",
    auth=bearer,
    response={200: DealRecord, **ERRORS},
    summary="The organiser's record of a deal: every field, the evidence, the documents",
)
def get_record(request, expo: str, deal_id: int):
    return _record(_organizer(request, expo), _deal_id(deal_id))


@router.patch(
    D + "/{deal_id}",
    auth=bearer,
    response={200: DealRecord, **ERRORS},
    summary="Change a deal (organiser); logged in the chain",
    description="Only the fields given change. `status` with `status_on` and `evidence` moves "
    "the follow-up (forward only: 409 `status_backwards`; 409 `deal_cancelled`). `version`: "
    "the version you read; 409 `version_conflict` when it changed since.",
)
def patch_deal(request, expo: str, deal_id: int, payload: DealPatch):
    edition = _organizer(request, expo)
    deal_update(
        expo=edition, deal_id=_deal_id(deal_id), data=payload.as_input(), version=payload.version
    )
    return _record(edition, deal_id)


@router.post(
    D + "/{deal_id}/status",
    auth=bearer,
    response={200: DealRecord, **ERRORS},
    summary="Move a deal's follow-up with dated evidence (organiser); logged in the chain",
    description="signed → registered → started → operating, or cancelled from any of them; "
    "the date no earlier than the present status's and not in the future.",
)
def set_status(request, expo: str, deal_id: int, payload: StatusIn):
    edition = _organizer(request, expo)
    deal_status_set(
        expo=edition,
        deal_id=_deal_id(deal_id),
        status=payload.status,
        on=payload.on,
        evidence=payload.evidence,
        document_id=payload.document,
    )
    return _record(edition, deal_id)
