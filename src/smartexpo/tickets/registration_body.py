"""The registration request body, checked against the documented schema.

The registration endpoint is the hottest write of an expo's opening morning, answered as a hot
route (`core.hot_routes`); its body is validated here with the very model the OpenAPI document
shows (`tickets.schemas.RegistrationIn`, `model_validate_json`), and the rules of the values
themselves stay in `registration_clean`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from smartexpo.core.api import validation_fields
from smartexpo.core.bodies import body_errors, json_body
from smartexpo.core.errors import invalid
from smartexpo.tickets.schemas import RegistrationIn


def registration_body(
    raw: bytes, *, schema: type[BaseModel] = RegistrationIn
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (the fields that are well formed, the fields that are not, with their messages).

    Malformed JSON → 400 `malformed`; a body that is not an object → 422 `invalid`. Unknown
    fields are ignored, as the API's other endpoints do. The caller answers the ill-formed
    fields together with whatever is wrong with the values of the others, so that every bad
    field is listed at once."""
    try:
        return schema.model_validate_json(raw or b"null").model_dump(exclude_none=True), {}
    except ValidationError as exc:
        errors = validation_fields(body_errors(exc))
    # Refused: read again, for the fields the schema did not complain about.
    body = json_body(raw)
    if not isinstance(body, dict):
        raise invalid(errors)
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
    return fields, errors
