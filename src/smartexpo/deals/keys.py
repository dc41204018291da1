"""An edition's deals keys as the tally is signed with them (making and rotating them is
`services.keys`'): the private half is stored encrypted with the ticket keys' secret and
decrypted once per process. Retired keys stay published so that tallies they signed still verify."""

from __future__ import annotations

import threading

from django.utils import timezone

from smartexpo.core.stamps import READ, StampedCache
from smartexpo.deals.models import DealsKey
from smartexpo.deals.services.keys import deals_key_active
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.venue.models import Expo

_private: dict[tuple[int, int, str], ts.Ed25519PrivateKey] = {}
_lock = threading.Lock()


def private_key(record: DealsKey) -> ts.Ed25519PrivateKey:
    """The decrypted private half of `record` (decrypted once per process; keyed by the public
    key too, so that a rebuilt database never meets a stale key)."""
    cache_key = (record.expo_id, record.kid, record.public_key)
    cached = _private.get(cache_key)
    if cached is not None:
        return cached
    with _lock:
        key = ts.private_key_from_encrypted(
            bytes(record.private_key_encrypted), secret=ts.key_encryption_secret()
        )
        _private[cache_key] = key
        return key


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
