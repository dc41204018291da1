"""The registration request body, read without building a model per request.

The registration endpoint is the hottest write of an expo's opening morning. Its body is a flat
object of strings and lists of strings, so it is checked here field by field (types, required
fields, lengths) and the rules of the values themselves stay in `registration_clean`. The
OpenAPI document still shows the schema (`tickets.api.RegistrationIn`).
"""

from __future__ import annotations

import json
from typing import Any

from smartexpo.core.errors import SmartExpoError, invalid

# field: (required, kind, max length of the text or of the list)
FIELDS: dict[str, tuple[bool, type, int]] = {
    "ticket_type": (True, str, 32),
    "days": (True, list, 32),
    "name": (True, str, 100),
    "email": (True, str, 254),
    "id_type": (False, str, 16),
    "id_number": (False, str, 40),
    "interests": (False, list, 20),
    "language": (False, str, 8),
}


def registration_body(raw: bytes) -> tuple[dict[str, Any], Any]:
    """Return (the fields to register with, the parsed JSON for idempotency fingerprints).

    Malformed JSON → 400 `malformed`; anything else wrong → 422 `invalid` listing the fields.
    Unknown fields are ignored, as the API's other endpoints do."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise SmartExpoError("malformed", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid({"body": "A JSON object is expected."})
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, (required, kind, limit) in FIELDS.items():
        value = body.get(name)
        if value is None:
            if required:
                errors[name] = "Field required."
            continue
        if not isinstance(value, kind):
            errors[name] = "A list of strings is expected." if kind is list else "A string."
        elif len(value) > limit:
            unit = "items" if kind is list else "characters"
            errors[name] = f"At most {limit} {unit}."
        elif kind is list and not all(isinstance(v, str) and len(v) <= 64 for v in value):
            errors[name] = "A list of strings is expected."
        else:
            fields[name] = value
    if errors:
        raise invalid(errors)
    return fields, body
