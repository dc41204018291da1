"""An edition's signing keys: made on first use, rotated on request."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.models import SigningKey
from smartexpo.venue.models import Expo


def _new_key(*, expo: Expo, kid: int) -> SigningKey:
    public, private_encrypted = ts.key_pair_new()
    return SigningKey.objects.create(
        expo=expo, kid=kid, public_key=public, private_key_encrypted=private_encrypted, active=True
    )


def signing_key_active(*, expo: Expo) -> SigningKey:
    """The key that signs new tickets of this edition (kid 1 is created on first use)."""
    key = SigningKey.objects.filter(expo=expo, active=True).order_by("-kid").first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _new_key(expo=expo, kid=1)
    except IntegrityError:
        # Another request created it a moment ago.
        return SigningKey.objects.filter(expo=expo, active=True).order_by("-kid").first()


@transaction.atomic
def signing_key_rotate(*, expo: Expo) -> SigningKey:
    """Start signing with a new key; older keys stay published so their tickets still verify."""
    top = SigningKey.objects.filter(expo=expo).aggregate(top=Max("kid"))["top"] or 0
    if top >= 255:
        raise SmartExpoError("keys_exhausted", "This edition has used all 255 key ids.")
    SigningKey.objects.filter(expo=expo, active=True).update(active=False)
    return _new_key(expo=expo, kid=top + 1)
