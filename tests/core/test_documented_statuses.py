"""Every status the API answers is one its OpenAPI document lists for that operation.

Found by `make fuzz` (schemathesis' status_code_conformance): the lists of editions, sectors and
tags answered 422 to a bad `offset` but documented only 200, and the exhibitor operations
answered 400 to malformed JSON but did not document it. The probes below ask every operation
of the document, with and without an organiser's token, the questions whose answers are the
API's conventions (a malformed body, bad parameters), and hold the answer to the document.
"""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient, error_of

PATH_VALUES = {"expo": "test-2019", "code": "N1"}


def _operations() -> list[tuple[str, str]]:
    from smartexpo.urls import api

    return sorted(
        (path, method)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    )


OPERATIONS = _operations()


def _documented(spec: dict, path: str, method: str) -> set[int]:
    return {int(status) for status in spec["paths"][path][method]["responses"]}


def _url(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    # Every other path parameter is an id or a serial.
    while "{" in path:
        start = path.index("{")
        path = path[:start] + "1" + path[path.index("}") + 1 :]
    return path


def _send(client: ApiClient, method: str, url: str, raw: bytes | None):
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    return client.client.generic(
        method.upper(), url, raw or b"", content_type="application/json", headers=headers
    )


def test_the_probes_find_the_documents_operations():
    assert len(OPERATIONS) >= 38, OPERATIONS


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_operation_answers_bad_input_with_a_documented_status(
    expo, organizer, anonymous, path, method
):
    spec = anonymous.get("/api/v1/openapi.json").json()
    operation = spec["paths"][path][method]
    documented = _documented(spec, path, method)
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    probes = [("", None)]
    if "requestBody" in operation:
        probes += [("", b"\x00"), ("", b"{"), ("", b"[]")]
    probes += [(f"?{name}=null&{name}=null", None) for name in queries]
    probes += [(f"?{name}={'9' * 40}", None) for name in queries]
    wrong = []
    for client in (anonymous, organizer):
        for query, raw in probes:
            response = _send(client, method, _url(path) + query, raw)
            if response.status_code >= 400:
                error_of(response)
            if response.status_code not in documented:
                who = "organizer" if client.token else "anonymous"
                wrong.append(f"{who} {query or raw!r}: {response.status_code}")
    assert wrong == [], f"{method.upper()} {path} documents {sorted(documented)}"


def test_the_rate_limited_operations_document_429(anonymous, db):
    spec = anonymous.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/expos/{expo}/registrations", "/api/v1/expos/{expo}/waitlist"):
        assert 429 in _documented(spec, path, "post"), path


def test_ticket_files_document_their_media_types(anonymous, db):
    spec = anonymous.get("/api/v1/openapi.json").json()
    for name, media_type in [
        ("qr.svg", "image/svg+xml"),
        ("qr.png", "image/png"),
        ("ticket.pdf", "application/pdf"),
    ]:
        path = "/api/v1/expos/{expo}/tickets/{serial}/" + name
        assert set(spec["paths"][path]["get"]["responses"]["200"]["content"]) == {media_type}
