"""An edition's signing keys: made on first use, rotated on request, decrypted once per process."""

from __future__ import annotations

import threading

from django.db import IntegrityError, transaction
from django.db.models import Max

from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.models import SigningKey
from smartexpo.venue.models import Expo

# Decrypting a PKCS#8 key runs a deliberately slow KDF; tickets are signed far more often than
# keys change, so each process keeps the keys it has decrypted.
# Keyed by the public key too: a database restored or rebuilt with the same ids must never be
# served a stale private key.
_private_keys: dict[tuple[int, int, str], ts.Ed25519PrivateKey] = {}
_lock = threading.Lock()


def _new_key(*, expo: Expo, kid: int) -> SigningKey:
    private = ts.generate_private_key()
    return SigningKey.objects.create(
        expo=expo,
        kid=kid,
        public_key=ts.public_key_b64(private),
        private_key_encrypted=ts.private_key_to_encrypted(
            private, secret=ts.key_encryption_secret()
        ),
        active=True,
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
        from smartexpo.core.errors import SmartExpoError

        raise SmartExpoError("keys_exhausted", "This edition has used all 255 key ids.")
    SigningKey.objects.filter(expo=expo, active=True).update(active=False)
    return _new_key(expo=expo, kid=top + 1)


def private_key(*, record: SigningKey) -> ts.Ed25519PrivateKey:
    """The decrypted private half of a signing key record (decrypted once per process)."""
    cache_key = (record.expo_id, record.kid, record.public_key)
    cached = _private_keys.get(cache_key)
    if cached is not None:
        return cached
    with _lock:
        key = ts.private_key_from_encrypted(
            bytes(record.private_key_encrypted), secret=ts.key_encryption_secret()
        )
        _private_keys[cache_key] = key
        return key


def signing_key_get(*, expo_id: int, kid: int) -> SigningKey:
    """One signing key of an edition by key id."""
    return SigningKey.objects.get(expo_id=expo_id, kid=kid)


def public_keys(*, expo: Expo) -> dict[int, ts.Ed25519PublicKey]:
    """Every public key of an edition by key id (retired ones included)."""
    return {
        k.kid: ts.load_public_key_b64(k.public_key) for k in SigningKey.objects.filter(expo=expo)
    }
