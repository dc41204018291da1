"""The signed ticket secret: what a QR code carries and any scanner can verify offline.

Normative format (all integers unsigned big-endian)::

    secret = base64url_nopad(version || kid || serial || body || signature)

    version    1 byte   0x01
    kid        1 byte   id of the signing key (0-255); scanners hold kid → Ed25519 public key
    serial     8 bytes  ticket serial, 1 <= serial < 2**53
    body       0-24 bytes, defined by the issuer (SmartExpo's body is below)
    signature  64 bytes Ed25519 signature over every byte before it

The body length is implied by the decoded length (74 + len(body) bytes, 74 to 98). The text is
base64url (RFC 4648 §5, alphabet `A-Z a-z 0-9 - _`) without `=` padding and in canonical form
(unused trailing bits zero); anything else — padding, `+`, `/`, whitespace, non-ASCII, a
wrong length, version other than 1, serial 0 or >= 2**53, an unknown kid, a bad signature — is
refused, and a scanner answers "invalid" for all of them. Verify the signature before reading
anything in the body.

SmartExpo's body, version 1 (exactly 10 bytes)::

    type_id    4 bytes  database id of the ticket type, 0 <= type_id < 2**32
    first_day  2 bytes  first valid day as the number of days since 2000-01-01 (day 0)
    day_mask   4 bytes  bit i (value 2**i, bit 0 the least significant) set ⇔ the ticket is
                        valid on first_day + i, for 0 <= i < 32; bit 0 is always set

So a ticket covers 1 to 32 days within a window of 32 consecutive days, and its secret is
1 + 1 + 8 + 10 + 64 = 84 bytes, 112 base64url characters. A body of another length, or with bit
0 of day_mask clear, is invalid.

Private signing keys are only stored encrypted (PKCS#8 PEM with `BestAvailableEncryption`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import hashlib
import os
import re
from collections.abc import Iterable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
HEADER_LEN = 1 + 1 + 8
SIGNATURE_LEN = 64
MAX_BODY_LEN = 24
BODY_LEN = 10
MAX_SERIAL = 2**53 - 1
MAX_TYPE_ID = 2**32 - 1
MAX_DAYS = 32
DAY_ZERO = datetime.date(2000, 1, 1)
LAST_FIRST_DAY = DAY_ZERO + datetime.timedelta(days=0xFFFF)

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# The longest valid secret (98 bytes) is 131 characters; longer text is refused before decoding.
_MAX_SECRET_CHARS = 131


class SecretError(ValueError):
    """A secret that must be refused. `reason` is always "invalid" (what a scanner answers);
    `detail` says why, for logs: "format", "version", "kid", "signature" or "body"."""

    reason = "invalid"

    def __init__(self, detail: str):
        super().__init__(f"invalid ticket secret ({detail})")
        self.detail = detail


def _check_int(name: str, value: object, low: int, high: int) -> int:
    # bool is an int subclass; True as a serial is a bug, not 1.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}")
    return value


@dataclasses.dataclass(frozen=True)
class TicketClaims:
    """What a secret asserts: the ticket serial, its type and the days it is valid on.

    `days` may be given in any order and with duplicates; it is stored sorted and unique.
    """

    serial: int
    type_id: int
    days: tuple[datetime.date, ...]

    def __post_init__(self):
        _check_int("serial", self.serial, 1, MAX_SERIAL)
        _check_int("type_id", self.type_id, 0, MAX_TYPE_ID)
        # Materialised first: a generator would be exhausted by the type check below.
        days = tuple(self.days) if isinstance(self.days, Iterable) else ()
        # datetime is a date subclass, but a timestamp here would be silently truncated.
        if not all(
            isinstance(d, datetime.date) and not isinstance(d, datetime.datetime) for d in days
        ):
            raise ValueError("days must be datetime.date values")
        days = tuple(sorted(set(days)))
        if not 1 <= len(days) <= MAX_DAYS:
            raise ValueError(f"a ticket is valid on 1 to {MAX_DAYS} days")
        if not DAY_ZERO <= days[0] <= LAST_FIRST_DAY:
            raise ValueError(f"the first day must be from {DAY_ZERO} to {LAST_FIRST_DAY}")
        if (days[-1] - days[0]).days >= MAX_DAYS:
            raise ValueError(f"all days must be within {MAX_DAYS - 1} days of the first")
        object.__setattr__(self, "days", days)


@dataclasses.dataclass(frozen=True)
class ParsedSecret:
    """A secret split into its fields; nothing in it is trusted until the signature is verified.

    `signed` is the bytes the signature covers (version through body).
    """

    version: int
    kid: int
    serial: int
    body: bytes
    signed: bytes
    signature: bytes


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode_strict(text: str) -> bytes:
    """Decode unpadded, canonical base64url or raise ValueError."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError("not unpadded base64url") from None
    # Non-zero unused bits would give one value several spellings; only one is accepted. A
    # length that is a multiple of 4 has no unused bits (SmartExpo's 112-character secrets).
    if len(text) % 4 and _b64url_encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


def encode_body(claims: TicketClaims) -> bytes:
    """Return SmartExpo's 10-byte body (type_id, first_day, day_mask) for `claims`."""
    first = claims.days[0]
    mask = 0
    for day in claims.days:
        mask |= 1 << (day - first).days
    return (
        claims.type_id.to_bytes(4, "big")
        + (first - DAY_ZERO).days.to_bytes(2, "big")
        + mask.to_bytes(4, "big")
    )


def decode_body(body: bytes) -> tuple[int, tuple[datetime.date, ...]]:
    """Return `(type_id, days)` from SmartExpo's body; raise `SecretError("body")` if malformed."""
    if len(body) != BODY_LEN:
        raise SecretError("body")
    type_id = int.from_bytes(body[0:4], "big")
    first = DAY_ZERO + datetime.timedelta(days=int.from_bytes(body[4:6], "big"))
    mask = int.from_bytes(body[6:10], "big")
    if not mask & 1:
        raise SecretError("body")
    days = []
    while mask:  # only the set bits: a day pass has one, a four-day pass four
        low = mask & -mask
        days.append(first + datetime.timedelta(days=low.bit_length() - 1))
        mask ^= low
    return type_id, tuple(days)


def sign_secret(claims: TicketClaims, *, kid: int, private_key: Ed25519PrivateKey) -> str:
    """Return the base64url secret for `claims`, signed with `private_key` under key id `kid`."""
    _check_int("kid", kid, 0, 255)
    signed = bytes((VERSION, kid)) + claims.serial.to_bytes(8, "big") + encode_body(claims)
    return _b64url_encode(signed + private_key.sign(signed))


def parse_secret(secret: str) -> ParsedSecret:
    """Split a secret into its fields without verifying it; raise `SecretError` if malformed.

    Checks the text encoding, the length, the version and the serial range (detail "format" or
    "version"). The result must not be trusted before its signature is verified.
    """
    if not isinstance(secret, str) or len(secret) > _MAX_SECRET_CHARS:
        raise SecretError("format")
    try:
        data = _b64url_decode_strict(secret)
    except ValueError:
        raise SecretError("format") from None
    body_len = len(data) - HEADER_LEN - SIGNATURE_LEN
    if not 0 <= body_len <= MAX_BODY_LEN:
        raise SecretError("format")
    if data[0] != VERSION:
        raise SecretError("version")
    serial = int.from_bytes(data[2:10], "big")
    if not 1 <= serial <= MAX_SERIAL:
        raise SecretError("format")
    return ParsedSecret(
        version=data[0],
        kid=data[1],
        serial=serial,
        body=data[HEADER_LEN:-SIGNATURE_LEN],
        signed=data[:-SIGNATURE_LEN],
        signature=data[-SIGNATURE_LEN:],
    )


def verify_secret(secret: str, public_keys: Mapping[int, Ed25519PublicKey]) -> TicketClaims:
    """Verify a secret against the public keys by kid and return its claims.

    Raises `SecretError` (reason "invalid") for a malformed secret, an unknown kid, a bad
    signature or a body that is not SmartExpo's.
    """
    parsed = parse_secret(secret)
    public_key = public_keys.get(parsed.kid)
    if public_key is None:
        raise SecretError("kid")
    try:
        public_key.verify(parsed.signature, parsed.signed)
    except InvalidSignature:
        raise SecretError("signature") from None
    type_id, days = decode_body(parsed.body)
    return TicketClaims(serial=parsed.serial, type_id=type_id, days=days)


def generate_private_key() -> Ed25519PrivateKey:
    """Return a new Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    """Return the 32 raw public-key bytes as unpadded base64url (what scanners are given)."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return _b64url_encode(raw)


def load_public_key_b64(text: str) -> Ed25519PublicKey:
    """Return the public key from `public_key_b64` text; raise ValueError if it is not one."""
    raw = _b64url_decode_strict(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_to_encrypted(private_key: Ed25519PrivateKey, *, secret: bytes) -> bytes:
    """Return the key as encrypted PKCS#8 PEM, the only form in which it is stored."""
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(secret),
    )


def private_key_from_encrypted(blob: bytes, *, secret: bytes) -> Ed25519PrivateKey:
    """Decrypt a key from `private_key_to_encrypted`; raise ValueError on a wrong secret."""
    key = serialization.load_pem_private_key(blob, password=secret)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def key_pair_new() -> tuple[str, bytes]:
    """A new Ed25519 key as it is stored: (its public key as `public_key_b64` gives it, its
    private key encrypted with `key_encryption_secret`)."""
    private = generate_private_key()
    return public_key_b64(private), private_key_to_encrypted(
        private, secret=key_encryption_secret()
    )


def key_encryption_secret() -> bytes:
    """Return the secret that encrypts signing keys at rest.

    `SMARTEXPO_KEY_SECRET` if set and non-empty; else derived from `SECRET_KEY` under its own
    label, so it is stable across restarts and distinct from every other use of that secret.
    """
    if env_secret := os.environ.get("SMARTEXPO_KEY_SECRET"):
        return env_secret.encode()
    from django.conf import settings

    return hashlib.sha256(b"smartexpo-signing-key:" + settings.SECRET_KEY.encode()).digest()
