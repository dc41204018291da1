"""Entering and changing deals. Every write appends its log entry in the same transaction
(`services.ledger.log_append`); the checks are `rules`'."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals import records, rules
from smartexpo.deals.models import (
    DOCUMENT_MAX_BYTES,
    INPUT_COLUMNS,
    Deal,
    DealParty,
    DealStatus,
    Document,
    StatusChange,
)
from smartexpo.deals.services.ledger import log_append
from smartexpo.venue.models import Expo

DEAL_COLUMNS = (*INPUT_COLUMNS, "amount_cny")
STATUS_INPUT = ("status", "status_on", "evidence")


def _parties(deal: Deal) -> list[DealParty]:
    return list(deal.parties.select_related("exhibitor").order_by("position"))


def _parties_write(deal: Deal, parties: list[dict]) -> None:
    DealParty.objects.filter(deal=deal).delete()
    DealParty.objects.bulk_create(
        DealParty(deal=deal, position=i, **party) for i, party in enumerate(parties)
    )


def _ref_taken(expo: Expo, ref: str, exclude: int | None = None) -> None:
    if not ref:
        return
    other = Deal.objects.filter(expo=expo, ref=ref).exclude(pk=exclude).values_list("pk", flat=True)
    found = other.first()
    if found is not None:
        raise SmartExpoError(
            "duplicate_deal",
            _("Another deal of this edition has this reference."),
            {"id": found, "ref": ref},
        )


def _status_input(data: Mapping[str, Any]) -> tuple[dict, dict]:
    rest = {k: v for k, v in data.items() if k not in STATUS_INPUT}
    status = {k: data[k] for k in STATUS_INPUT if k in data}
    return rest, status


def deal_create(*, expo: Expo, data: Mapping[str, Any]) -> Deal:
    """Enter a deal from API-shaped `data` (docs/api.md, "Deals") and log it.

    A deal entered with a later status than `signed` (the follow-up of an older project) gives
    its `status_on` and `evidence`, as a later move would. Raises `invalid` with every bad
    field, `duplicate_deal` (409) when its `ref` is taken."""
    fields, status_input = _status_input(data)
    values = rules.deal_input_clean(expo=expo, data=fields)
    parties = values.pop("parties")
    status = status_input.get("status", DealStatus.SIGNED)
    today = timezone.localdate(timezone=expo.tz)
    if status != DealStatus.SIGNED or "evidence" in status_input:
        status, status_on, evidence = rules.status_clean(
            current_status=DealStatus.SIGNED,
            current_on=values["signed_on"],
            signed_on=values["signed_on"],
            status=status,
            on=status_input.get("status_on"),
            evidence=status_input.get("evidence"),
            today=today,
        )
    else:
        status_on, evidence = values["signed_on"], ""
    try:
        with transaction.atomic():
            _ref_taken(expo, values["ref"])
            deal = Deal.objects.create(expo=expo, status=status, status_on=status_on, **values)
            _parties_write(deal, parties)
            if evidence:
                StatusChange.objects.create(
                    deal=deal, status=status, on=status_on, evidence=evidence
                )
            log_append(
                expo=expo,
                deal_id=deal.pk,
                change=records.changed_fields(None, records.public_fields(deal, _parties(deal))),
            )
    except IntegrityError as exc:
        # Only the reference is unique among what a caller gives: the same ref entered twice
        # at once.
        _ref_taken(expo, values["ref"])
        raise SmartExpoError("conflict", _("The deal could not be saved; try again.")) from exc
    return deal


def _locked(expo: Expo, deal_id: int) -> Deal:
    if not isinstance(deal_id, int) or not 0 < deal_id < 2**53:
        raise SmartExpoError("not_found", _("No such deal."))
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("sector", "ceremony")
        .filter(expo=expo, pk=deal_id)
        .first()
    )
    if deal is None:
        raise SmartExpoError("not_found", _("No such deal."))
    return deal


def _current(deal: Deal) -> dict[str, Any]:
    values = {name: getattr(deal, name) for name in DEAL_COLUMNS}
    values["parties"] = [
        {
            "exhibitor": p.exhibitor,
            "name_en": p.name_en,
            "name_zh": p.name_zh,
            "country": p.country,
            "region": p.region,
            "city": p.city,
        }
        for p in _parties(deal)
    ]
    return values


@transaction.atomic
def deal_update(
    *, expo: Expo, deal_id: int, data: Mapping[str, Any], version: int | None = None
) -> Deal:
    """Change a deal (any input field; `status` with `status_on` and `evidence` moves its
    follow-up) and log what changed in public. `version`: the version the caller last read;
    another change since answers `409 version_conflict`. A change that changes nothing is no
    change: no entry, the same version."""
    deal = _locked(expo, deal_id)
    if version is not None and version != deal.version:
        raise SmartExpoError(
            "version_conflict",
            _("The deal was changed since you read it."),
            {"version": deal.version},
        )
    fields, status_input = _status_input(data)
    before_public = records.public_fields(deal, _parties(deal))
    current = _current(deal)
    values = rules.deal_input_clean(expo=expo, data=fields, current=current)
    if status_input:
        status, status_on, evidence = rules.status_clean(
            current_status=deal.status,
            current_on=deal.status_on,
            signed_on=values["signed_on"],
            status=status_input.get("status"),
            on=status_input.get("status_on"),
            evidence=status_input.get("evidence"),
            today=timezone.localdate(timezone=expo.tz),
        )
    elif values["signed_on"] > deal.status_on and deal.status != DealStatus.SIGNED:
        raise SmartExpoError(
            "invalid",
            _("Some fields of the deal are not valid."),
            {"fields": {"signed_on": _("The deal cannot be signed after its present status.")}},
        )
    parties = values.pop("parties")
    changed = [name for name in DEAL_COLUMNS if values[name] != current[name]]
    if "ref" in changed:
        _ref_taken(expo, values["ref"], exclude=deal.pk)
    parties_changed = parties != current["parties"]
    if not changed and not parties_changed and not status_input:
        return deal
    for name in changed:
        setattr(deal, name, values[name])
    if status_input:
        deal.status, deal.status_on = status, status_on
        StatusChange.objects.create(deal=deal, status=status, on=status_on, evidence=evidence)
    elif deal.status == DealStatus.SIGNED and "signed_on" in changed:
        deal.status_on = deal.signed_on
    deal.version += 1
    deal.save()
    if parties_changed:
        _parties_write(deal, parties)
    after_public = records.public_fields(deal, _parties(deal))
    log_append(
        expo=expo, deal_id=deal.pk, change=records.changed_fields(before_public, after_public)
    )
    return deal


@transaction.atomic
def deal_status_set(
    *, expo: Expo, deal_id: int, status: str, on: Any, evidence: str, document_id: int | None = None
) -> Deal:
    """Move a deal's follow-up to `status` on `on`, with its `evidence` (and optionally one of
    its documents); logged. Forward only, or to cancelled."""
    deal = _locked(expo, deal_id)
    document = None
    if document_id is not None:
        document = Document.objects.filter(deal=deal, pk=document_id).first()
        if document is None:
            raise SmartExpoError(
                "invalid",
                _("Some fields of the deal are not valid."),
                {"fields": {"document": _("No such document of this deal.")}},
            )
    before_public = records.public_fields(deal, _parties(deal))
    status, day, text = rules.status_clean(
        current_status=deal.status,
        current_on=deal.status_on,
        signed_on=deal.signed_on,
        status=status,
        on=on,
        evidence=evidence,
        today=timezone.localdate(timezone=expo.tz),
    )
    StatusChange.objects.create(deal=deal, status=status, on=day, evidence=text, document=document)
    deal.status, deal.status_on = status, day
    deal.version += 1
    deal.save(update_fields=["status", "status_on", "version", "updated_at"])
    after_public = records.public_fields(deal, _parties(deal))
    log_append(
        expo=expo, deal_id=deal.pk, change=records.changed_fields(before_public, after_public)
    )
    return deal


PDF_MAGIC = b"%PDF-"


@transaction.atomic
def document_add(*, expo: Expo, deal_id: int, name: str, data: bytes) -> Document:
    """Keep a PDF with a deal (organisers only). Refuses what is not a PDF or is too large.
    Documents are not public: the log records no entry for them."""
    deal = _locked(expo, deal_id)
    if len(data) > DOCUMENT_MAX_BYTES:
        raise SmartExpoError(
            "too_large",
            _("A document is at most %(n)d MB.") % {"n": DOCUMENT_MAX_BYTES // (1024 * 1024)},
        )
    if not data.startswith(PDF_MAGIC):
        raise SmartExpoError(
            "invalid",
            _("Only PDF documents are kept."),
            {"fields": {"file": _("Not a PDF file.")}},
        )
    clean_name = (name or "document.pdf").replace("/", "_").replace("\\", "_")[:200]
    return Document.objects.create(
        deal=deal,
        name=clean_name,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
