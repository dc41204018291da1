"""The signed ticket secret: format, offline verification, tamper resistance, keys at rest."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from smartexpo.tickets.ticket_secrets import (
    DAY_ZERO,
    SecretError,
    TicketClaims,
    decode_body,
    encode_body,
    generate_private_key,
    key_encryption_secret,
    load_public_key_b64,
    parse_secret,
    private_key_from_encrypted,
    private_key_to_encrypted,
    public_key_b64,
    sign_secret,
    verify_secret,
)

# Generated once: hypothesis runs the property many times and keys are not what varies.
PRIVATE_KEY = generate_private_key()
PUBLIC_KEYS = {7: load_public_key_b64(public_key_b64(PRIVATE_KEY))}
CLAIMS = TicketClaims(serial=123_456_789, type_id=42, days=(dt.date(2025, 9, 12),))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def refusal(secret, keys=PUBLIC_KEYS) -> SecretError:
    with pytest.raises(SecretError) as caught:
        verify_secret(secret, keys)
    assert caught.value.reason == "invalid"
    return caught.value


def raw_secret(version=1, kid=7, serial=1, body=None, key=PRIVATE_KEY) -> str:
    """A secret assembled by hand and signed correctly, to test what the parser refuses."""
    body = encode_body(CLAIMS) if body is None else body
    signed = bytes((version, kid)) + serial.to_bytes(8, "big") + body
    return b64(signed + key.sign(signed))


claims_strategy = st.builds(
    lambda serial, type_id, first, offsets: TicketClaims(
        serial=serial,
        type_id=type_id,
        days=tuple(first + dt.timedelta(days=i) for i in offsets),
    ),
    serial=st.integers(1, 2**53 - 1),
    type_id=st.integers(0, 2**32 - 1),
    first=st.dates(min_value=DAY_ZERO, max_value=DAY_ZERO + dt.timedelta(days=0xFFFF - 31)),
    offsets=st.sets(st.integers(0, 31), min_size=1, max_size=32),
)


@given(claims=claims_strategy)
def test_any_valid_claims_round_trip_through_a_signed_secret(claims):
    secret = sign_secret(claims, kid=7, private_key=PRIVATE_KEY)
    assert len(secret) == 112
    assert verify_secret(secret, PUBLIC_KEYS) == claims
    assert decode_body(encode_body(claims)) == (claims.type_id, claims.days)


def test_a_secret_is_112_characters_of_unpadded_base64url_and_84_bytes():
    secret = sign_secret(CLAIMS, kid=7, private_key=PRIVATE_KEY)
    assert len(secret) == 112
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(unb64(secret)) == 84


def test_the_layout_matches_the_documented_format():
    claims = TicketClaims(
        serial=0x0102030405, type_id=0xA1B2C3D4, days=(dt.date(2000, 1, 3), dt.date(2000, 1, 5))
    )
    data = unb64(sign_secret(claims, kid=200, private_key=PRIVATE_KEY))
    assert data[0] == 1
    assert data[1] == 200
    assert data[2:10] == bytes.fromhex("0000000102030405")
    assert data[10:14] == bytes.fromhex("A1B2C3D4")
    assert data[14:16] == (2).to_bytes(2, "big")
    assert data[16:20] == (0b101).to_bytes(4, "big")
    PRIVATE_KEY.public_key().verify(data[20:], data[:20])
    parsed = parse_secret(b64(data))
    assert (parsed.version, parsed.kid, parsed.serial) == (1, 200, 0x0102030405)
    assert parsed.body == data[10:20]
    assert parsed.signed == data[:20]
    assert parsed.signature == data[20:]


def test_a_secret_verifies_with_only_the_public_key_text():
    secret = sign_secret(CLAIMS, kid=3, private_key=PRIVATE_KEY)
    text = public_key_b64(PRIVATE_KEY)
    assert len(text) == 43
    assert verify_secret(secret, {3: load_public_key_b64(text)}) == CLAIMS


def test_every_single_bit_flip_is_refused():
    data = unb64(sign_secret(CLAIMS, kid=7, private_key=PRIVATE_KEY))
    assert len(data) == 84
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        refusal(b64(bytes(flipped)))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:40],
        lambda s: s + "=",
        lambda s: s + "==",
        lambda s: s + "A",
        lambda s: s[:-2] + "!!",
        lambda s: s.replace("-", "+").replace("_", "/") if set(s) & set("-_") else "+" + s[1:],
        lambda s: "/" + s[1:],
        lambda s: " " + s,
        lambda s: s + "\n",
        lambda s: s[:50] + " " + s[50:],
        lambda s: s[:-1] + "é",
        lambda s: "",
        lambda s: "!!",
        lambda s: s * 2,
    ],
)
def test_malformed_text_is_refused_as_format(mangle):
    assert refusal(mangle(sign_secret(CLAIMS, kid=7, private_key=PRIVATE_KEY))).detail == "format"


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 8, 16, 38, 39, 111])
def test_a_truncated_or_extended_secret_is_refused(cut):
    secret = sign_secret(CLAIMS, kid=7, private_key=PRIVATE_KEY)
    refusal(secret[:-cut])
    refusal(secret + secret[:cut])


def test_non_canonical_trailing_bits_are_refused():
    # An 85-byte secret leaves 4 unused bits in its last character: setting one spells the same
    # bytes differently, and only the canonical spelling is accepted.
    secret = raw_secret(body=encode_body(CLAIMS) + b"\0")
    assert refusal(secret).detail == "body"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    other = secret[:-1] + alphabet[alphabet.index(secret[-1]) ^ 1]
    assert unb64(other) == unb64(secret)
    assert refusal(other).detail == "format"


def test_a_non_string_is_refused():
    assert refusal(None).detail == "format"
    assert refusal(b"AAAA").detail == "format"


def test_a_correctly_signed_secret_of_another_version_is_refused():
    assert refusal(raw_secret(version=2)).detail == "version"
    assert refusal(raw_secret(version=0)).detail == "version"


def test_an_unknown_kid_is_refused():
    secret = sign_secret(CLAIMS, kid=8, private_key=PRIVATE_KEY)
    assert refusal(secret).detail == "kid"
    assert refusal(secret, {}).detail == "kid"


@pytest.mark.parametrize("serial", [0, 2**53, 2**64 - 1])
def test_a_serial_out_of_range_is_refused_even_if_signed(serial):
    assert refusal(raw_secret(serial=serial)).detail == "format"


def test_the_largest_serial_is_accepted():
    assert verify_secret(raw_secret(serial=2**53 - 1), PUBLIC_KEYS).serial == 2**53 - 1


def test_a_secret_signed_by_another_key_is_refused():
    other = generate_private_key()
    assert refusal(sign_secret(CLAIMS, kid=7, private_key=other)).detail == "signature"


def test_a_body_that_is_not_ours_is_refused_after_the_signature_checks_out():
    assert refusal(raw_secret(body=b"")).detail == "body"
    assert refusal(raw_secret(body=encode_body(CLAIMS) + b"\0")).detail == "body"
    no_first_day = encode_body(CLAIMS)[:6] + (0b10).to_bytes(4, "big")
    assert refusal(raw_secret(body=no_first_day)).detail == "body"


def test_a_body_of_up_to_24_bytes_parses_and_25_does_not():
    assert parse_secret(raw_secret(body=b"\0" * 24)).body == b"\0" * 24
    with pytest.raises(SecretError) as caught:
        parse_secret(raw_secret(body=b"\0" * 25))
    assert caught.value.detail == "format"


@pytest.mark.parametrize(
    ("serial", "type_id", "days"),
    [
        (0, 1, (dt.date(2025, 1, 1),)),
        (2**53, 1, (dt.date(2025, 1, 1),)),
        (True, 1, (dt.date(2025, 1, 1),)),
        (1, -1, (dt.date(2025, 1, 1),)),
        (1, 2**32, (dt.date(2025, 1, 1),)),
        (1, 1, ()),
        (1, 1, (dt.date(2025, 1, 1), dt.date(2025, 2, 2))),
        (1, 1, (dt.date(1999, 12, 31),)),
        (1, 1, (dt.datetime(2025, 1, 1, tzinfo=dt.UTC),)),
    ],
)
def test_invalid_claims_are_refused(serial, type_id, days):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        TicketClaims(serial=serial, type_id=type_id, days=days)


def test_claims_days_are_sorted_and_unique_and_may_span_32_days():
    first = dt.date(2025, 1, 1)
    last = first + dt.timedelta(days=31)
    claims = TicketClaims(serial=1, type_id=0, days=(last, first, first))
    assert claims.days == (first, last)
    assert TicketClaims(serial=1, type_id=0, days=(d for d in [last, first])) == claims
    assert verify_secret(sign_secret(claims, kid=7, private_key=PRIVATE_KEY), PUBLIC_KEYS) == claims


def test_the_kid_must_fit_in_a_byte():
    with pytest.raises(ValueError):  # noqa: PT011
        sign_secret(CLAIMS, kid=256, private_key=PRIVATE_KEY)


def test_a_public_key_text_must_be_32_bytes_of_base64url():
    with pytest.raises(ValueError):  # noqa: PT011
        load_public_key_b64(b64(b"\0" * 31))
    with pytest.raises(ValueError):  # noqa: PT011
        load_public_key_b64(public_key_b64(PRIVATE_KEY) + "=")


def test_an_encrypted_private_key_round_trips_and_does_not_reveal_the_key():
    secret = b"a secret that encrypts keys at rest"
    blob = private_key_to_encrypted(PRIVATE_KEY, secret=secret)
    raw = PRIVATE_KEY.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    assert b"ENCRYPTED PRIVATE KEY" in blob
    assert raw not in blob
    assert base64.b64encode(raw)[:20] not in blob
    clear_der = PRIVATE_KEY.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert raw not in base64.b64decode(b"".join(blob.splitlines()[1:-1]))
    assert base64.b64encode(clear_der)[:40] not in blob
    restored = private_key_from_encrypted(blob, secret=secret)
    assert public_key_b64(restored) == public_key_b64(PRIVATE_KEY)
    assert verify_secret(sign_secret(CLAIMS, kid=7, private_key=restored), PUBLIC_KEYS) == CLAIMS


def test_an_encrypted_private_key_does_not_open_with_a_wrong_secret():
    blob = private_key_to_encrypted(PRIVATE_KEY, secret=b"right")
    with pytest.raises(ValueError):  # noqa: PT011
        private_key_from_encrypted(blob, secret=b"wrong")


def test_the_key_secret_comes_from_the_environment_or_from_the_secret_key(monkeypatch, settings):
    monkeypatch.setenv("SMARTEXPO_KEY_SECRET", "from-the-environment")
    assert key_encryption_secret() == b"from-the-environment"
    monkeypatch.delenv("SMARTEXPO_KEY_SECRET")
    settings.SECRET_KEY = "one"
    derived = key_encryption_secret()
    assert derived == key_encryption_secret()
    assert len(derived) == 32
    settings.SECRET_KEY = "two"
    assert key_encryption_secret() != derived
