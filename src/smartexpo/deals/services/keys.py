"""Making and rotating an edition's deals key (the Ed25519 key that signs its tally)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.models import DealsKey
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.venue.models import Expo


def _new_key(*, expo: Expo, kid: int) -> DealsKey:
    public, private_encrypted = ts.key_pair_new()
    return DealsKey.objects.create(
        expo=expo, kid=kid, public_key=public, private_key_encrypted=private_encrypted, active=True
    )


def deals_key_active(*, expo: Expo) -> DealsKey:
    """The key that signs the edition's tally (kid 1 is made on first use)."""
    key = DealsKey.objects.filter(expo=expo, active=True).order_by("-kid").first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _new_key(expo=expo, kid=1)
    except IntegrityError:
        # Another request made it a moment ago.
        return DealsKey.objects.filter(expo=expo, active=True).order_by("-kid").first()


@transaction.atomic
def deals_key_rotate(*, expo: Expo) -> DealsKey:
    """Sign the tally with a new key from now on; the older keys stay published."""
    top = DealsKey.objects.filter(expo=expo).aggregate(top=Max("kid"))["top"] or 0
    if top >= 255:
        raise SmartExpoError("keys_exhausted", _("This edition has used all 255 key ids."))
    DealsKey.objects.filter(expo=expo, active=True).update(active=False)
    return _new_key(expo=expo, kid=top + 1)
