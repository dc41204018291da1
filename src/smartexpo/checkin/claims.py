"""What a batch's secrets claim, authenticated as cheaply as possible (sync and bulk import).

The server recognises the secrets it issued by their digest (`Ticket.secret_digest`); only a
secret it does not recognise has its Ed25519 signature verified, which keeps a batch of 5,000
scans from costing 5,000 signature checks (~0.1 ms each).
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import NamedTuple

from smartexpo.checkin.context import CheckinContext
from smartexpo.checkin.queries import TicketRecord
from smartexpo.tickets.issuing import secret_digest
from smartexpo.tickets.ticket_secrets import (
    ParsedSecret,
    SecretError,
    TicketClaims,
    decode_body,
    verify_secret,
)


class DigestClaims(NamedTuple):
    """The claims of a secret recognised by its digest (already known to be well formed)."""

    serial: int
    type_id: int
    days: tuple[dt.date, ...]


_bodies: dict[bytes, tuple[int, tuple[dt.date, ...]]] = {}


def secret_claims(
    ctx: CheckinContext, secret: str, parsed: ParsedSecret | None, ticket: TicketRecord | None
) -> TicketClaims | DigestClaims | None:
    """The claims of a secret (`parsed`: as `parse_secret` read it, None if it could not), or
    None if it is not authentic: trusted at once if it is the secret `ticket` was issued with,
    else only after its signature verifies."""
    if parsed is None:
        return None
    if ticket is not None and ticket.digest:
        given = secret_digest(secret) if secret.isascii() else ""
        if hmac.compare_digest(given, ticket.digest):
            # Thousands of tickets share a body (same type, same days): decoded once each.
            body = _bodies.get(parsed.body)
            if body is None:
                body = _bodies[parsed.body] = decode_body(parsed.body)
            return DigestClaims(parsed.serial, *body)
    try:
        return verify_secret(secret, ctx.keys)
    except SecretError:
        return None
