"""An edition's deals keys as the tally is signed with them (making and rotating them is
`services.keys`'): the private half is stored encrypted with the ticket keys' secret and
decrypted once per process. Retired keys stay published so that tallies they signed still verify."""

from __future__ import annotations

from django.utils import timezone

from smartexpo.core.stamps import READ, StampedCache
from smartexpo.deals.models import DealsKey
from smartexpo.deals.services.keys import deals_key_active
from smartexpo.tickets import keys as ticket_keys
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.venue.models import Expo


def private_key(record: DealsKey) -> ts.Ed25519PrivateKey:
    """The decrypted private half of `record`: stored as the ticket keys are, so decrypted and
    kept once per process by the same cache (keyed by edition, key id and public key)."""
    return ticket_keys.private_key(record=record)


def keys_package(*, expo: Expo) -> dict:
    """The edition's public deals keys in the format of `checkin/keys`."""
    deals_key_active(expo=expo)
    keys = [
        {"kid": k.kid, "alg": "Ed25519", "public_key": k.public_key}
        for k in DealsKey.objects.filter(expo=expo).order_by("kid")
    ]
    return {"keys": keys, "revoked": [], "generated_at": timezone.now()}


def _active_load(expo_id: int) -> DealsKey | None:
    return DealsKey.objects.filter(expo_id=expo_id, active=True).order_by("-kid").first()


# Read on every tally: kept per process while the catalogue stamp holds (a key made or
# rotated moves it, through the trigger on its table).
_active: StampedCache[int, DealsKey | None] = StampedCache(_active_load)


def signing_key(*, expo: Expo, version=READ) -> DealsKey:
    """The key that signs the edition's tally now (made on first use)."""
    return _active.get(expo.pk, version=version) or deals_key_active(expo=expo)
