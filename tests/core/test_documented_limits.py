"""The OpenAPI document states every limit the server applies, hot routes included.

Each probe reads a limit from `/api/v1/openapi.json` and asks the server: a value at the limit
is not refused for it, one past it is, and a field documented without a limit takes a long
value. A limit the server applies but the document does not state (or the reverse) fails here.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartexpo.core.bodies import InvalidItem, batch_checked
from smartexpo.crowd.schemas import EventIn, EventsIn
from smartexpo.tickets.registration_body import registration_body
from tests.checkin.conftest import SCANS, SYNC, issue, make_types, scanner_client
from tests.conftest import ApiClient

EVENTS = "/api/v1/expos/test-2019/venue/events"
_unique = itertools.count()


def _documented(path: str) -> dict:
    spec = ApiClient().get("/api/v1/openapi.json").json()
    schema = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" not in str(schema), "the body schema must not point outside the document"
    return schema


def _item_schema(schema: dict) -> dict:
    """The schema of one item of a batch body (`{"scans": [...]}`, `{"events": [...]}`)."""
    (items,) = [p["items"] for p in schema["properties"].values() if p.get("type") == "array"]
    return items


def _text(field: str, length: int) -> str:
    """A string of `length` characters, unique (nonces and event ids must be)."""
    head = f"{field[0]}{next(_unique)}-"
    return (head + "x" * length)[:length] if length >= len(head) else "x" * length


def _cases(schema: dict, field: str) -> list[tuple[object, bool, str]]:
    """(value, refused?, why) for one property, from what the document says of it."""
    prop = schema["properties"][field]
    options = prop.get("anyOf", [prop])
    text = next((o for o in options if o.get("type") == "string"), None)
    number = next((o for o in options if o.get("type") == "integer"), None)
    cases: list[tuple[object, bool, str]] = []
    if text is not None and "enum" in text:
        cases.append(("not-one-of-them", True, "outside the enum"))
        cases += [(value, False, "in the enum") for value in text["enum"]]
    elif text is not None and text.get("format") == "date-time":
        cases.append(("2019-08-26T10:00:00+08:00", False, "an instant with its offset"))
        cases.append(("2019-08-26T10:00:00", True, "an instant without its offset"))
        cases.append(("0001-01-01T00:00:00+14:00", True, "outside the documented years"))
    elif text is not None:
        if "maxLength" in text:
            cases.append((_text(field, text["maxLength"]), False, "at maxLength"))
            cases.append((_text(field, text["maxLength"] + 1), True, "past maxLength"))
        else:
            cases.append((_text(field, 5000), False, "long, with no maxLength documented"))
        if text.get("minLength", 0) > 0:
            cases.append(("x" * (text["minLength"] - 1), True, "under minLength"))
    if number is not None:
        if "maximum" in number:
            cases.append((number["maximum"], False, "at maximum"))
            cases.append((number["maximum"] + 1, True, "past maximum"))
        if "minimum" in number:
            cases.append((number["minimum"] - 1, True, "under minimum"))
        cases.append((True, True, "a boolean is not an integer"))
    if text is not None and number is None:
        cases.append((12345, True, "a number where a string is documented"))
    return cases


def _probe(schema: dict, base: dict, refused_at) -> list[str]:
    """Every case where the server disagrees with the document, as readable lines."""
    wrong = []
    for field in schema["properties"]:
        for value, refused, why in _cases(schema, field):
            found = refused_at({**base, field: value}, field)
            if found != refused:
                wrong.append(f"{field} {why} ({str(value)[:40]!r}): refused={found}")
    for field in schema.get("required", []):
        if not refused_at({k: v for k, v in base.items() if k != field}, field):
            wrong.append(f"{field} missing but required: accepted")
    return wrong


@pytest.fixture
def world(expo):
    make_types(expo)
    _ticket, secret = issue(expo)
    return scanner_client(expo), secret


def test_every_limit_of_an_online_scan_is_in_the_document(world):
    scanner, secret = world
    schema = _documented("/api/v1/expos/{expo}/checkin/scans")

    def refused_at(body, field):
        if field != "nonce" and "nonce" in body:
            body = {**body, "nonce": _text("nonce", 20)}  # a new scan, not a replay
        response = scanner.post(SCANS, body)
        assert response.status_code in (200, 422), response.content
        return response.status_code == 422 and field in response.json()["error"]["detail"]["fields"]

    base = {"secret": secret, "gate": "G1", "direction": "in", "nonce": "n"}
    assert _probe(schema, base, refused_at) == []


def test_every_limit_of_a_synced_scan_is_in_the_document(world):
    scanner, secret = world
    schema = _item_schema(_documented("/api/v1/expos/{expo}/checkin/sync"))

    def refused_at(item, field):
        if field != "nonce" and "nonce" in item:
            item = {**item, "nonce": _text("nonce", 20)}  # a new scan, not a replay
        response = scanner.post(SYNC, {"scans": [item]})
        assert response.status_code == 200, response.content
        (result,) = response.json()["results"]
        return result.get("reason") == "invalid" and field in result.get("detail", {}).get(
            "fields", {}
        )

    base = {"secret": secret, "gate": "G1", "direction": "in", "nonce": "n"}
    assert _probe(schema, base, refused_at) == []


def test_every_limit_of_a_sensor_event_is_in_the_document(expo):
    from smartexpo.devices.services import device_create

    _device, token = device_create(expo=expo, name="Doors", kind="sensor", zones=["N1"])
    sensor = ApiClient(token)
    schema = _item_schema(_documented("/api/v1/expos/{expo}/venue/events"))

    def refused_at(event, field):
        if field != "id" and "id" in event:
            event = {**event, "id": _text("id", 20)}  # a new event, not a duplicate
        response = sensor.post(EVENTS, {"events": [event]})
        assert response.status_code == 200, response.content
        return [r["reason"] for r in response.json()["rejected"]] == ["invalid"]

    base = {"id": "e", "zone": "N1", "kind": "enter", "at": "2019-08-26T10:00:00+08:00"}
    assert _probe(schema, base, refused_at) == []


def test_every_limit_of_a_registration_body_is_in_the_document(db):
    """The structure the registration route checks before the values' own rules (a known
    ticket type, a real ID number…): the route lists both kinds together (tested elsewhere)."""
    schema = _documented("/api/v1/expos/{expo}/registrations")

    def refused_at(body, field):
        _fields, ill_formed = registration_body(_json(body))
        return any(name.split(".")[0] == field for name in ill_formed)

    base = {"ticket_type": "day", "days": ["2019-08-26"], "name": "Li", "email": "l@example.cn"}
    assert _probe(schema, base, refused_at) == []
    for field in ("days", "interests"):
        prop = next(
            o
            for o in schema["properties"][field].get("anyOf", [schema["properties"][field]])
            if o.get("type") == "array"
        )
        longest = prop["items"]["maxLength"]
        assert not refused_at({**base, field: ["x" * longest] * prop["maxItems"]}, field)
        assert refused_at({**base, field: ["x" * longest] * (prop["maxItems"] + 1)}, field)
        assert refused_at({**base, field: ["x" * (longest + 1)]}, field)


def _json(body) -> bytes:
    import json

    return json.dumps(body).encode()


# --- a batch's items are checked by the documented schema, read from JSON or read again ------

ODD = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False))
TEXT = st.one_of(st.text(max_size=3), st.text(min_size=62, max_size=66), st.just(""))


@settings(max_examples=400, deadline=None)
@given(
    zone=st.one_of(st.just("N1"), TEXT, ODD),
    kind=st.one_of(st.sampled_from(["enter", "exit", "in", "ENTER"]), ODD),
    at=st.one_of(
        st.sampled_from(
            [
                "2019-08-26T10:00:00+08:00",
                "2019-08-26 10:00:00Z",
                "2019-08-26T10:00:00",
                "1900-01-01T00:00:00+00:00",
                "soon",
            ]
        ),
        ODD,
    ),
    count=st.one_of(st.integers(-1, 100_002), st.sampled_from([100_000, 100_001]), ODD, TEXT),
    visitor=st.one_of(TEXT, ODD),
    present=st.sets(st.sampled_from(["zone", "kind", "at", "count", "visitor"])),
)
def test_an_event_is_refused_in_a_batch_exactly_when_the_documented_schema_refuses_it(
    zone, kind, at, count, visitor, present
):
    """The batch is validated from its JSON in one pass (`model_validate_json`), and read again
    item by item only when some item is refused: both ways refuse exactly what `EventIn`
    refuses of the event alone."""
    from pydantic import ValidationError

    values = {"zone": zone, "kind": kind, "at": at, "count": count, "visitor": visitor}
    event = {"id": "e1", **{k: v for k, v in values.items() if k in present}}
    try:
        EventIn.model_validate(event)
        documented = False
    except ValidationError:
        documented = True
    (alone,) = batch_checked(EventsIn, _json({"events": [event]}))
    first, _bad = batch_checked(EventsIn, _json({"events": [event, {"id": "e2"}]}))
    assert isinstance(alone, InvalidItem) == isinstance(first, InvalidItem) == documented, event
