"""Real-name ID numbers: validation, canonical form, keyed hash and masking.

A person is identified by `id_type` and `id_number` together:

- `resident` (the default): an 18-character mainland resident ID (GB 11643-1999): a 6-digit
  area code, an 8-digit birth date `YYYYMMDD` (a real date from 1900-01-01 to today), a 3-digit
  sequence and an ISO 7064 MOD 11-2 check character (`0`-`9` or `X`; `x` is accepted).
- `passport`: 5 to 20 ASCII letters and digits.

The clear number is never stored: records keep `id_hash` (for de-duplication) and `mask_id`
(for display). This module is pure Python; Django is imported lazily, only for settings,
translations and the local date.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import operator
import os
import re

from django.utils.translation import gettext as _

RESIDENT = "resident"
PASSPORT = "passport"
ID_TYPES = (RESIDENT, PASSPORT)

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)

# Explicit ASCII classes: `str.isdigit()` and `\d` also accept non-ASCII digits, and
# `str.upper()` can turn a non-ASCII letter into ASCII ones ("ﬀ" → "FF"), so the shape is
# checked on the stripped input before anything is upper-cased.
_RESIDENT_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")
_SEVENTEEN_DIGITS = re.compile(r"[0-9]{17}")
_PASSPORT_SHAPE = re.compile(r"[A-Za-z0-9]{5,20}")

# Han ideographs (with extensions and compatibility forms), kana and Hangul: names written in
# these scripts have no spaces and are masked character by character.
_CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)


class IdNumberError(ValueError):
    """An ID type or number that cannot be accepted; `field` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _local_today() -> datetime.date:
    from django.conf import settings
    from django.utils import timezone

    # With USE_TZ off `timezone.now()` is already naive local time, and `localdate()` refuses it.
    return timezone.localdate() if settings.USE_TZ else timezone.now().date()


def resident_check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for 17 ASCII digits."""
    if not _SEVENTEEN_DIGITS.fullmatch(first17):
        raise ValueError("resident_check_digit expects exactly 17 ASCII digits")
    # map() over C functions: this runs for every row of a 700,000-visitor import.
    total = sum(map(operator.mul, map(int, first17), _RESIDENT_WEIGHTS))
    return _RESIDENT_CHECK_CHARS[total % 11]


def _normalise_resident(number: str, today: datetime.date) -> str:
    if len(number) != 18:
        raise IdNumberError(
            "id_number",
            _("A resident ID number has 18 characters (this one has %(count)d).")
            % {"count": len(number)},
        )
    if not _RESIDENT_SHAPE.fullmatch(number):
        raise IdNumberError(
            "id_number",
            _("A resident ID number is 17 digits followed by a digit or X."),
        )
    number = number.upper()
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(
            "id_number", _("The birth date in this ID number is not a real date.")
        ) from None
    if birth < _EARLIEST_BIRTH:
        raise IdNumberError("id_number", _("The birth date in this ID number is before 1900."))
    if birth > today:
        raise IdNumberError("id_number", _("The birth date in this ID number is in the future."))
    if resident_check_digit(number[:17]) != number[17]:
        raise IdNumberError("id_number", _("The check digit of this ID number is wrong."))
    return number


def normalise_id(
    id_type: str | None, id_number: str, *, today: datetime.date | None = None
) -> tuple[str, str]:
    """Validate an ID and return `(id_type, canonical number)`.

    A missing or empty `id_type` means "resident". The canonical number has surrounding
    whitespace removed and letters upper-cased. `today` (default: the local date) bounds the
    birth date of a resident ID. Raises `IdNumberError` naming the field at fault.
    """
    id_type = id_type or RESIDENT
    if id_type not in ID_TYPES:
        raise IdNumberError(
            "id_type",
            _("Unknown ID type; use one of: %(types)s.") % {"types": ", ".join(ID_TYPES)},
        )
    number = id_number.strip() if isinstance(id_number, str) else ""
    if not number:
        raise IdNumberError("id_number", _("An ID number is required."))
    if id_type == RESIDENT:
        return id_type, _normalise_resident(number, today or _local_today())
    if not _PASSPORT_SHAPE.fullmatch(number):
        raise IdNumberError(
            "id_number", _("A passport number is 5 to 20 letters (A-Z) and digits.")
        )
    return id_type, number.upper()


def id_hash(id_type: str, canonical_number: str, *, key: bytes) -> str:
    """Return the HMAC-SHA256 hex digest of "type:number", the stored stand-in for the number.

    Keyed so that the small space of valid resident numbers cannot be enumerated from a leaked
    database without the key.
    """
    message = f"{id_type}:{canonical_number}".encode()
    return hmac.digest(key, message, "sha256").hex()


def id_hash_key() -> bytes:
    """Return the key for `id_hash`: `SMARTEXPO_ID_HASH_KEY` if set and non-empty, else derived.

    The derived key comes from `SECRET_KEY` so that it is stable across restarts (hashes must
    keep matching the stored ones) without one more secret to provision, and it is hashed with
    its own label so that it differs from every other use of the secret.
    """
    if env_key := os.environ.get("SMARTEXPO_ID_HASH_KEY"):
        return env_key.encode()
    from django.conf import settings

    return hashlib.sha256(b"smartexpo-id-hash:" + settings.SECRET_KEY.encode()).digest()


def mask_id(canonical_number: str, *, id_type: str | None = None) -> str:
    """Mask an ID number for display.

    Resident: first 4 and last 4 characters kept, the 10 in between starred
    (`1101**********1234`). Passport: first 2 and last 2 kept, the rest starred. Without
    `id_type` the kind is inferred from the shape (18 characters, 17 digits then a digit or X
    → resident), which can misread an 18-character all-digit passport: pass `id_type` when known.
    """
    number = canonical_number
    if id_type is None:
        id_type = RESIDENT if _RESIDENT_SHAPE.fullmatch(number) else PASSPORT
    if id_type == RESIDENT and len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    # Short input (never a valid number) keeps fewer characters so that a star always remains.
    keep = max(0, min(2, (len(number) - 1) // 2))
    stars = max(1, len(number) - 2 * keep)
    return number[:keep] + "*" * stars + (number[-keep:] if keep else "")


def mask_name(name: str) -> str:
    """Mask a holder's name for tickets and scanners.

    Names with any CJK character keep their first character and star the others (`张三丰` →
    `张**`; a one-character name still gets one star). Other names keep the initial of each
    word and star the rest of the word, at most three stars (`Li Wei` → `L* W**`,
    `Alexandra Smith` → `A*** S***`): enough to match a face at the gate, while capping the
    stars keeps long words from giving away their length.
    """
    words = name.split()
    if not words:
        return ""
    if any(_CJK.search(word) for word in words):
        chars = "".join(words)
        return chars[0] + "*" * max(1, len(chars) - 1)
    return " ".join(word[0] + "*" * min(3, len(word) - 1) for word in words)
