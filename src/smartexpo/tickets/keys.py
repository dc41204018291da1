"""An edition's signing keys as tickets are signed and checked with them: decrypted once per
process, looked up by key id. Making and rotating keys is `tickets.services.signing_keys`'."""

from __future__ import annotations

import threading

from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.models import SigningKey
from smartexpo.venue.models import Expo

# Decrypting a PKCS#8 key runs a deliberately slow KDF; tickets are signed far more often than
# keys change, so each process keeps the keys it has decrypted.
# Keyed by the public key too: a database restored or rebuilt with the same ids must never be
# served a stale private key.
_private_keys: dict[tuple[int, int, str], ts.Ed25519PrivateKey] = {}
_lock = threading.Lock()


def private_key(*, record: SigningKey) -> ts.Ed25519PrivateKey:
    """The decrypted private half of a key record (decrypted once per process): a ticket
    signing key, or any record stored the same way (the deals keys)."""
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
