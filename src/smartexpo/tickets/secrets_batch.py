"""Ticket secrets parsed by the hundred thousand (the batch path's check-in).

Kept apart from `ticket_secrets`, which the offline verifier imports with nothing but
`cryptography` installed: this needs NumPy.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np

from smartexpo.tickets.ticket_secrets import (
    _B64URL,
    _MAX_SECRET_CHARS,
    HEADER_LEN,
    MAX_BODY_LEN,
    MAX_SERIAL,
    SIGNATURE_LEN,
    VERSION,
    ParsedSecret,
    SecretError,
    parse_secret,
)


def parse_secrets(secrets: Sequence[str]) -> list[ParsedSecret | None]:
    """`parse_secret` for many secrets (None where it would raise), for the batch path.

    Secrets of one length that is a multiple of 4 (SmartExpo's 112 characters) are checked
    and decoded as one text, their fixed fields read as array columns; any other secret, or a
    group whose text does not pass, goes through `parse_secret` itself. A test holds the two
    to the same answers."""
    found: list[ParsedSecret | None] = [None] * len(secrets)
    groups: dict[int, list[int]] = {}
    for i, secret in enumerate(secrets):
        if isinstance(secret, str) and 0 < len(secret) <= _MAX_SECRET_CHARS and not len(secret) % 4:
            groups.setdefault(len(secret), []).append(i)
        else:
            found[i] = _parsed_or_none(secret)
    for length, members in groups.items():
        text = "".join(secrets[i] for i in members)
        size = length * 3 // 4
        if (
            not _B64URL.fullmatch(text)
            or not 0 <= size - HEADER_LEN - SIGNATURE_LEN <= MAX_BODY_LEN
        ):
            for i in members:
                found[i] = _parsed_or_none(secrets[i])
            continue
        data = base64.urlsafe_b64decode(text)
        rows = np.frombuffer(data, dtype=np.uint8).reshape(len(members), size)
        serials = rows[:, 2:HEADER_LEN].copy().view(">u8").ravel().tolist()
        versions, kids = rows[:, 0].tolist(), rows[:, 1].tolist()
        for k, i in enumerate(members):
            if versions[k] != VERSION or not 1 <= serials[k] <= MAX_SERIAL:
                continue
            start, end = k * size, (k + 1) * size
            found[i] = ParsedSecret(
                version=VERSION,
                kid=kids[k],
                serial=serials[k],
                body=data[start + HEADER_LEN : end - SIGNATURE_LEN],
                signed=data[start : end - SIGNATURE_LEN],
                signature=data[end - SIGNATURE_LEN : end],
            )
    return found


def _parsed_or_none(secret) -> ParsedSecret | None:
    try:
        return parse_secret(secret)
    except SecretError:
        return None
