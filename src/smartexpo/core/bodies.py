"""The JSON request bodies the API reads itself, validated by the schemas the OpenAPI shows.

The hot routes and the batch endpoints do not let ninja parse their bodies (a batch answers a
bad item by itself, and keeps the others); they validate them with the very pydantic model
their operation documents, `Model.model_validate_json(raw)`, which parses and checks in one
pass. This module turns what the model refuses into the API's answers:

- anything that is not JSON in UTF-8 — a document nested too deeply included, which
  `json.loads` answered with RecursionError — is 400 `malformed`;
- an empty body is JSON `null`, refused like any other body that is not an object (422);
- otherwise 422 `invalid`, naming every field at fault (`core.api.validation_fields`).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from smartexpo.core.api import validation_fields
from smartexpo.core.errors import SmartExpoError, invalid

M = TypeVar("M", bound=BaseModel)


def json_body(raw: bytes) -> Any:
    """The parsed body (None for an empty one); 400 `malformed` for anything that is not JSON
    in UTF-8, or that is nested too deeply to parse. For the rare reader that needs the JSON
    as sent (an idempotency fingerprint, the fields of a refused body)."""
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _malformed() from None


def body_checked(model: type[M], raw: bytes) -> M:
    """The body validated by `model`; 400 `malformed` or 422 `invalid` otherwise."""
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise invalid(validation_fields(body_errors(exc))) from None


def body_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """The errors of a body its model refused; raises 400 `malformed` if it is not JSON."""
    errors = exc.errors(include_url=False)
    if any(error["type"] == "json_invalid" for error in errors):
        raise _malformed()
    return errors


def _malformed() -> SmartExpoError:
    return SmartExpoError("malformed", "The request body is not valid JSON.")


@dataclasses.dataclass(frozen=True)
class InvalidItem:
    """An item of a batch that the item schema refuses: the item as sent (any JSON value),
    and its fields at fault, as a refusal would name them."""

    value: Any
    fields: dict[str, str]

    def text(self, field: str) -> str | None:
        """The item's `field` if the item is an object and that field a string (what a
        refusal can still name it by: its id, its nonce), else None."""
        found = self.value.get(field) if isinstance(self.value, dict) else None
        return found if isinstance(found, str) else None


def batch_checked(model: type[BaseModel], raw: bytes) -> list:
    """The items of a batch body, in order: each one its item model's instance, or an
    `InvalidItem`. `model` has a single field, the list of items (`{"scans": [...]}`).

    The body is validated by `model` in one pass; only when some items break the item
    schema is it read again, to keep the others. A body that is not an object with that list,
    or whose list is longer than the schema allows, is refused as a whole (422, the list's
    field named)."""
    (name,) = model.model_fields
    try:
        return getattr(model.model_validate_json(raw or b"null"), name)
    except ValidationError as exc:
        errors = body_errors(exc)
    by_item: dict[int, list[dict[str, Any]]] = {}
    for error in errors:
        loc = error["loc"]
        if len(loc) < 2 or loc[0] != name or not isinstance(loc[1], int):
            raise _batch_refusal(name, error)
        by_item.setdefault(loc[1], []).append({**error, "loc": loc[2:]})
    (item_model,) = typing.get_args(model.model_fields[name].annotation)
    refused = {index: validation_fields(found) for index, found in by_item.items()}
    return items_checked(item_model, json_body(raw)[name], refused)


def _batch_refusal(name: str, error: dict[str, Any]) -> SmartExpoError:
    """The refusal of a whole batch for an error of its list (the messages the API has
    always given)."""
    if error["type"] == "too_long":
        return invalid({name: f"At most {error['ctx']['max_length']} {name} per request."})
    return invalid({name: f"A list of {name} is required."})


def items_checked(
    model: type[M], values: list[Any], refused: dict[int, dict[str, str]] | None = None
) -> list[M | InvalidItem]:
    """Items as Python values (read from JSON, or made by a caller such as the demo's
    simulator) each validated by `model`; `refused`: the fields at fault of items already
    known to break it, by position."""
    refused = refused or {}
    checked: list[M | InvalidItem] = []
    for index, value in enumerate(values):
        if index in refused:
            checked.append(InvalidItem(value, refused[index]))
            continue
        try:
            checked.append(model.model_validate(value))
        except ValidationError as exc:
            checked.append(InvalidItem(value, validation_fields(exc.errors())))
    return checked
