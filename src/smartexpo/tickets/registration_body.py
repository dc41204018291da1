"""The registration request body, checked against the documented schema.

The registration endpoint is the hottest write of an expo's opening morning, answered ahead of
django-ninja; its body is validated here with the very model the OpenAPI document shows
(`tickets.schemas.RegistrationIn`), and the rules of the values themselves stay in
`registration_clean`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from smartexpo.core.api import validation_fields
from smartexpo.core.bodies import json_body
from smartexpo.core.errors import invalid
from smartexpo.tickets.schemas import RegistrationIn


def registration_body(
    raw: bytes, *, schema: type[BaseModel] = RegistrationIn
) -> tuple[dict[str, Any], Any, dict[str, str]]:
    """Return (the fields that are well formed, the parsed JSON for idempotency fingerprints,
    the fields that are not, with their messages).

    Malformed JSON → 400 `malformed`; a body that is not an object → 422 `invalid`. Unknown
    fields are ignored, as the API's other endpoints do. The caller answers the ill-formed
    fields together with whatever is wrong with the values of the others, so that every bad
    field is listed at once."""
    body = json_body(raw)
    try:
        checked = schema.model_validate(body)
    except ValidationError as exc:
        errors = validation_fields(exc.errors())
        if not isinstance(body, dict):
            raise invalid(errors) from None
        bad = {name.split(".")[0] for name in errors}
        if "id_type" in bad:
            bad.add("id_number")  # a number is only judged with its type
        # The schema converts nothing (strings, lists of strings, literals), so a field it did
        # not complain about is its own validated value.
        fields = {
            name: body[name]
            for name in schema.model_fields
            if name not in bad and body.get(name) is not None
        }
        return fields, body, errors
    return checked.model_dump(exclude_none=True), body, {}
