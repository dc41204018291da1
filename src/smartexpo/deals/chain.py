"""The hash chain and the signed tally as plain functions over JSON values, with no Django:
what the server computes when it appends, and what `smartexpo deals verify` (or a journalist's
own script, docs/deals-ledger.md) recomputes from the public answers.

Canonical JSON: keys sorted, no whitespace (`separators=(",", ":")`), non-ASCII kept, UTF-8.
Numbers in the ledger are integers only; amounts are decimal strings. An entry's `hash` is the
SHA-256 (hex) of the ASCII bytes of `prev` followed by the canonical JSON of the entry without
`hash`; the first entry's `prev` is 64 zeros.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

ZERO_HASH = "0" * 64
ENTRY_FIELDS = ("seq", "at", "deal", "change", "prev")


def canonical_json(value: Any) -> bytes:
    """The UTF-8 bytes of `value` as canonical JSON. A float is refused: amounts are strings."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_refuse,
    ).encode("utf-8")


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} has no canonical JSON form in the ledger")


def _no_floats(value: Any) -> None:
    # JSON would write a float without complaint; the ledger holds none (amounts are strings).
    # Iterative, by exact type: it runs over every value of every entry a verification reads.
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            raise TypeError("floats have no place in the ledger: amounts are decimal strings")
        if kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The hash of one log entry (any `hash` key it carries is left out)."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    _no_floats(body)
    return hashlib.sha256(str(body["prev"]).encode("ascii") + canonical_json(body)).hexdigest()


def chain_problems(
    entries: Iterable[Mapping[str, Any]], *, start_prev: str = ZERO_HASH
) -> list[str]:
    """Every break in a run of entries, in order: a gap or reordering of `seq`, a `prev` that
    is not the previous entry's hash, a `hash` that does not match the entry. Empty when the
    chain holds. `start_prev` is the hash before the first entry given (64 zeros from seq 1)."""
    problems: list[str] = []
    prev = start_prev
    expected_seq = None
    for entry in entries:
        seq = entry.get("seq")
        if expected_seq is not None and seq != expected_seq:
            problems.append(f"entry {seq}: expected seq {expected_seq} (missing or reordered)")
        if expected_seq is None and start_prev == ZERO_HASH and seq != 1:
            problems.append(f"entry {seq}: the log does not start at seq 1")
        if entry.get("prev") != prev:
            problems.append(f"entry {seq}: prev does not match the previous entry's hash")
        try:
            computed = entry_hash(entry)
        except (KeyError, TypeError, UnicodeEncodeError) as exc:
            problems.append(f"entry {seq}: cannot be hashed ({exc})")
            computed = None
        if computed is not None and computed != entry.get("hash"):
            problems.append(f"entry {seq}: hash does not match its content")
        prev = str(entry.get("hash"))
        expected_seq = (seq if isinstance(seq, int) else 0) + 1
    return problems


def tally_message(tally: Mapping[str, Any]) -> bytes:
    """The bytes a tally's signature covers: the tally without `signature`, canonical JSON."""
    return canonical_json({key: value for key, value in tally.items() if key != "signature"})


def b64url(data: bytes) -> str:
    """Unpadded base64url, as the ticket keys and signatures are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded (or padded) base64url; raise ValueError on anything else."""
    if not isinstance(text, str) or not all(c.isalnum() or c in "-_=" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
