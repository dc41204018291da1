"""`Idempotency-Key`: the first answer to a key is stored with the request's fingerprint and
replayed for any JSON-equal repeat; a different body under the same key is refused."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import IdempotencyRecord
from smartexpo.venue.models import Expo

MAX_KEY_LENGTH = 255
# docs/api.md promises keys are kept at least 24 hours; twice that, then they go.
KEEP = timedelta(hours=48)


def request_fingerprint(body: Any) -> str:
    """Equal JSON (whatever its spacing or key order) gives an equal fingerprint."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> tuple[int, dict]:
    if record.request_hash != fingerprint:
        raise SmartExpoError(
            "idempotency_mismatch",
            "This Idempotency-Key was used with a different request body.",
        )
    return record.status_code, record.response


def run_idempotent(
    *, expo: Expo, key: str, body: Any, handler: Callable[[], tuple[int, dict]]
) -> tuple[int, dict]:
    """Run `handler` once per key: claim the key, run, store the answer — one transaction.

    A concurrent repeat blocks on the key's unique index until the first commits, then replays
    its answer; domain refusals (409 sold_out…) are answers too and are stored like a 201.
    """
    if len(key) > MAX_KEY_LENGTH or not key.strip():
        raise SmartExpoError(
            "invalid",
            "The Idempotency-Key header must be 1 to 255 characters.",
            {"fields": {"Idempotency-Key": "1 to 255 characters."}},
        )
    fingerprint = request_fingerprint(body)
    if random.random() < 0.01:
        # Pruned now and then by the requests themselves: no scheduler needed.
        IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    existing = IdempotencyRecord.objects.filter(expo=expo, key=key).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                expo=expo, key=key, request_hash=fingerprint, status_code=0, response={}
            )
            try:
                with transaction.atomic():
                    status, response = handler()
            except SmartExpoError as exc:
                status, response = exc.status, exc.as_body()
            record.status_code, record.response = status, response
            record.save(update_fields=["status_code", "response"])
            return status, response
    except IntegrityError:
        return _replay(IdempotencyRecord.objects.get(expo=expo, key=key), fingerprint)
