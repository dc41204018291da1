"""docs/api.md conventions: error shape, auth, pagination limits, body limits — never a 500."""

import datetime as dt

import pytest

from tests.conftest import error_of

STATUS_URL = "/api/v1/expos/test-2019/exhibitors/{id}/status"


def test_malformed_json_is_400_malformed(expo, organizer):
    url = STATUS_URL.format(id=expo.test_exhibitors["pending"].pk)
    response = organizer.post(url, raw='{"status": ')
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed"


def test_missing_token_is_401_with_the_error_shape(expo, anonymous):
    url = STATUS_URL.format(id=expo.test_exhibitors["pending"].pk)
    response = anonymous.post(url, {"status": "approved"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(expo):
    from tests.conftest import ApiClient

    url = STATUS_URL.format(id=expo.test_exhibitors["pending"].pk)
    response = ApiClient("sxo_not-a-real-token").post(url, {"status": "approved"})
    assert response.status_code == 401


def test_wrong_role_is_403(expo, exhibitor, device):
    url = STATUS_URL.format(id=expo.test_exhibitors["pending"].pk)
    for client in (exhibitor, device):
        response = client.post(url, {"status": "approved"})
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_wrong_types_are_422_with_fields(expo, organizer):
    response = organizer.put(
        "/api/v1/expos/test-2019/booths/N1-002/assignment", {"exhibitor": "many"}
    )
    assert response.status_code == 422
    err = error_of(response)
    assert err["code"] == "invalid"
    assert "exhibitor" in err["detail"]["fields"]


def test_missing_required_field_is_422_at_that_field(expo, organizer):
    response = organizer.put("/api/v1/expos/test-2019/booths/N1-002/assignment", {})
    assert response.status_code == 422
    assert "exhibitor" in error_of(response)["detail"]["fields"]


def test_json_array_instead_of_object_is_422(expo, organizer):
    response = organizer.put("/api/v1/expos/test-2019/booths/N1-002/assignment", [1, 2])
    assert response.status_code == 422


def test_non_numeric_id_in_path_is_422(expo, anonymous):
    response = anonymous.get("/api/v1/expos/test-2019/exhibitors/abc")
    assert response.status_code == 422
    assert "exhibitor_id" in error_of(response)["detail"]["fields"]


def test_huge_numeric_id_is_404_not_500(expo, anonymous):
    response = anonymous.get("/api/v1/expos/test-2019/exhibitors/99999999999999999999999")
    assert response.status_code in (404, 422)
    error_of(response)


def test_unknown_edition_is_404(db, anonymous):
    response = anonymous.get("/api/v1/expos/nope/halls")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_api_url_is_404_json(db, anonymous):
    response = anonymous.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_405_json(db, anonymous):
    response = anonymous.delete("/api/v1/expos")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_body_over_8_mib_is_413(expo, organizer):
    big = '{"status": "' + "x" * (8 * 1024 * 1024 + 10) + '"}'
    url = STATUS_URL.format(id=expo.test_exhibitors["pending"].pk)
    response = organizer.post(url, raw=big)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_chunked_body_over_the_limit_is_413(expo, organizer, settings):
    from django.test import RequestFactory

    from smartexpo.core.middleware import ApiBodyLimitMiddleware

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    settings.SMARTEXPO_MAX_BODY_BYTES = 10
    request = RequestFactory().post(
        "/api/v1/expos", b'{"x": "0123456789"}', content_type="application/json"
    )
    request.META.pop("CONTENT_LENGTH")
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    response = ApiBodyLimitMiddleware(lambda r: pytest.fail("should not be reached"))(request)
    assert response.status_code == 413


@pytest.mark.parametrize("limit", ["0", "-3", "abc", "1.5", ""])
def test_limit_below_one_or_not_an_integer_is_422(expo, anonymous, limit):
    response = anonymous.get("/api/v1/expos/test-2019/exhibitors", {"limit": limit})
    assert response.status_code == 422
    assert "limit" in error_of(response)["detail"]["fields"]


def test_negative_offset_is_422(expo, anonymous):
    response = anonymous.get("/api/v1/expos/test-2019/halls", {"offset": "-1"})
    assert response.status_code == 422


def test_huge_limit_is_capped_at_200_not_refused(db, anonymous, taxonomy):
    from tests.conftest import make_expo

    for n in range(205):
        make_expo(slug=f"edition-{n:03d}")
    response = anonymous.get("/api/v1/expos", {"limit": "100000"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 205
    assert len(body["items"]) == 200


def _list_operations() -> list[str]:
    """Every GET of the OpenAPI document that takes `limit` and `offset`: the lists."""
    from smartexpo.urls import api

    lists = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        names = {p["name"] for p in operations.get("get", {}).get("parameters", [])}
        if {"limit", "offset"} <= names:
            lists.append(path)
    return sorted(lists)


LISTS = _list_operations()
PATH_VALUES = {"expo": "test-2019", "code": "N1"}
# The lists an organiser may not read, with the role that may.
READERS = {
    "/api/v1/expos/{expo}/exhibitor-passes": "exhibitor",
    "/api/v1/expos/{expo}/leads": "exhibitor",
    "/api/v1/expos/{expo}/recommendations/visitors": "exhibitor",
    "/api/v1/expos/{expo}/meetings/suggestions": "exhibitor",
}


def test_every_list_of_the_api_is_covered_by_the_bounds_tests():
    assert len(LISTS) >= 12, LISTS  # the document's lists are found, not an empty parametrize


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("limit", "offset"),
    [
        ("50", "9999999999999999999"),
        ("158647", "70613359457248860962816"),
        ("99999999999999999999999", "0"),
        ("1", str(2**63 - 1)),
        ("200", str(2**63)),
    ],
)
def test_any_limit_and_offset_past_the_databases_integers_is_an_empty_page_not_a_500(
    expo, path, limit, offset, request
):
    """A list answers an offset past the end with an empty page, however large the number
    (SQLite said "datatype mismatch" and PostgreSQL "bigint out of range": both were 500s)."""
    values = dict(PATH_VALUES)
    if "{registration_id}" in path:  # a registration's own list: one that exists
        from tests.conftest import public_day_pass, register

        public_day_pass(expo, quota_per_day=5)
        values["registration_id"] = register(expo).registration.pk
    if "/recommendations" in path or path.endswith("/suggestions"):  # from the recommender: built
        from smartexpo.recommend.services.building import recommender_build

        recommender_build(expo=expo)
    if "/meetings/sessions/{code}" in path:  # a session's meetings: a session that exists
        from smartexpo.meetings.models import MeetingSession

        starts = dt.datetime(2019, 8, 26, 9, tzinfo=dt.UTC)
        MeetingSession.objects.create(
            expo=expo,
            code="b2b",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            slot_minutes=20,
            tables=2,
        )
        values["code"] = "b2b"
    url = path.format(**{name: values[name] for name in values if f"{{{name}}}" in path})
    reader = request.getfixturevalue(READERS.get(path, "organizer"))
    response = reader.get(url, {"limit": limit, "offset": offset})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"count", "items"} <= set(body)
    assert body["items"] == [] or int(offset) == 0


def test_default_limit_is_50_and_offset_pages_in_creation_order(db, anonymous, taxonomy):
    from tests.conftest import make_expo

    slugs = [f"edition-{n:03d}" for n in range(60)]
    for slug in reversed(slugs):  # created in reverse alphabetical order
        make_expo(slug=slug)
    first = anonymous.get("/api/v1/expos").json()
    assert len(first["items"]) == 50
    rest = anonymous.get("/api/v1/expos", {"offset": 50}).json()
    listed = [i["slug"] for i in first["items"] + rest["items"]]
    assert listed == list(reversed(slugs))


def test_public_endpoints_ignore_a_bad_authorization_header(expo, anonymous):
    response = anonymous.get(
        "/api/v1/expos/test-2019/halls", headers={"Authorization": "Bearer garbage"}
    )
    assert response.status_code == 200


def test_exhibitor_token_on_another_edition_is_403(expo, other_expo, exhibitor):
    response = exhibitor.get(f"/api/v1/expos/{other_expo.slug}/exhibitor-profile")
    assert response.status_code == 403


def test_openapi_documents_the_catalogue_and_the_docs_page_is_self_hosted(db, anonymous):
    spec = anonymous.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/expos",
        "/api/v1/expos/{expo}",
        "/api/v1/expos/{expo}/halls",
        "/api/v1/expos/{expo}/zones",
        "/api/v1/expos/{expo}/gates",
        "/api/v1/expos/{expo}/exhibitors",
    ):
        assert path in spec["paths"], path
    docs = anonymous.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_json_answers_carry_chinese_as_utf8(expo, anonymous):
    response = anonymous.get("/api/v1/expos/test-2019/exhibitors", {"q": "华为"})
    assert "华为".encode() in response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/expos", "/api/v1/expos/test-2019/registrations"])
def test_a_host_header_the_server_does_not_serve_is_a_400_in_the_api_error_shape(
    expo, anonymous, path
):
    response = anonymous.client.generic(
        "POST" if path.endswith("registrations") else "GET",
        path,
        b"{}",
        content_type="application/json",
        HTTP_HOST="evil.example",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed"
