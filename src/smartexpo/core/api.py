"""The `/api/v1` NinjaAPI: error shape, bearer authentication, pagination, shared schemas.

Every failure leaves here as `{"error": {"code", "message", "detail"}}` (docs/api.md); this
module is the one place where exceptions become HTTP answers.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from smartexpo.core.errors import SmartExpoError, error_body
from smartexpo.core.models import ApiToken
from smartexpo.core.responses import with_refusal_headers
from smartexpo.core.tokens import token_resolve

logger = logging.getLogger("smartexpo.api")

HTTP_CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


class Utf8JSONRenderer(JSONRenderer):
    """Chinese names travel as UTF-8 text, not as \\uXXXX escapes (smaller, readable)."""

    json_dumps_params = {"ensure_ascii": False}


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` resolved to a live `ApiToken` (401 otherwise)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_resolve(raw=token.strip())


bearer = BearerToken()


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, detail=None
) -> HttpResponse:
    """Ninja's answer to a refusal: the API's error body and refusal headers."""
    response = api.create_response(request, error_body(code, message, detail), status=status)
    return with_refusal_headers(response, status, code, detail)


def _field_name(loc: Iterable[Any]) -> str:
    """`("body", "payload", "days", 0)` → `days.0`; `("query", "limit")` → `limit`."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "params", "filters", "page", "data"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        name = _field_name(err.get("loc", ()))
        message = str(err.get("msg", "Invalid value."))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        fields.setdefault(name, message)
    return fields


# Statuses that the API's own layers answer for any operation of a given shape, whatever the
# operation itself does: a body can be malformed JSON (400), too large (413, the body-limit
# middleware) or invalid (422); a parameter can be invalid (422); a token can be missing or
# unknown (401) or of the wrong role or edition (403). `SmartExpoAPI` adds them to every such
# operation of the OpenAPI document here, in one place, so that no operation can forget one.
BODY_ERRORS = (400, 413, 422)
PARAMETER_ERRORS = (422,)
AUTH_ERRORS = (401, 403)


def conventional_errors(operation: dict[str, Any]) -> list[int]:
    """The statuses an OpenAPI operation can answer by the API's conventions alone."""
    statuses: set[int] = set()
    if "requestBody" in operation:
        statuses.update(BODY_ERRORS)
    parameters = operation.get("parameters", [])
    if any(p["in"] == "query" or p["schema"].get("type") != "string" for p in parameters):
        statuses.update(PARAMETER_ERRORS)
    if operation.get("security"):
        statuses.update(AUTH_ERRORS)
    return sorted(statuses)


class SmartExpoAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The OpenAPI document, built once per process: it is a function of the code (the
        routes are all registered when the URL conf loads), and building it takes most of a
        second — every `GET /api/v1/openapi.json` would otherwise cost that much CPU. Each
        caller gets its own copy to change."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        built = self.__dict__.setdefault("_schemas", {})
        if key not in built:
            built[key] = self._schema_build(path_prefix=path_prefix, path_params=path_params)
        return copy.deepcopy(built[key])

    def _schema_build(self, *, path_prefix, path_params):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                for status in conventional_errors(operation):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": HTTPStatus(status).phrase,
                            "content": error,
                        }
        return schema


def build_api() -> NinjaAPI:
    api = SmartExpoAPI(
        title="SmartExpo API",
        version="1",
        description=(
            "The public contract of SmartExpo: editions and catalogue, exhibitors, registration "
            "and tickets (restricted ticket types included), check-in, venue sensors and venue "
            "intelligence, and the forum programme. Errors always have the shape "
            '`{"error": {"code", "message", "detail"}}`.'
        ),
        urls_namespace="api-v1",
        renderer=Utf8JSONRenderer(),
    )

    @api.exception_handler(SmartExpoError)
    def on_domain_error(request, exc: SmartExpoError):
        return error_response(api, request, exc.status, exc.code, exc.message, exc.detail)

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc: ValidationError):
        fields = validation_fields(exc.errors)
        return error_response(
            api, request, 422, "invalid", "The request is not valid.", {"fields": fields}
        )

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc: AuthenticationError):
        return error_response(
            api, request, 401, "unauthenticated", "A valid bearer token is required."
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        code = HTTP_CODES.get(exc.status_code, "error")
        message = str(exc.message)
        if exc.status_code == 400:
            message = "The request body is not valid JSON."
        return error_response(api, request, exc.status_code, code, message)

    @api.exception_handler(MultiPartParserError)
    def on_malformed_multipart(request, exc: MultiPartParserError):
        # A multipart body Django cannot parse (no boundary, cut short): the client's fault,
        # on every upload route alike.
        return error_response(
            api, request, 400, "malformed", "The request body is not valid multipart form data."
        )

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return error_response(api, request, 404, "not_found", "Not found.")

    @api.exception_handler(Exception)
    def on_unexpected(request, exc):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        if settings.DEBUG:
            raise exc
        return error_response(
            api, request, 500, "internal_error", "Something went wrong on our side."
        )

    return api


# --- Pagination ----------------------------------------------------------------------------
T = TypeVar("T")


class PageParams(Schema):
    """`?limit=&offset=`: limit defaults to 50 and is capped (not refused) at 200; any offset
    from 0 up is accepted, and one past the end gives an empty page."""

    limit: int = Field(
        settings.SMARTEXPO_PAGE_DEFAULT,
        ge=1,
        description="1 or more; a larger value than 200 returns 200 items",
    )
    offset: int = Field(0, ge=0, description="0 or more; past the last item, the page is empty")


class Page(Schema, Generic[T]):
    count: int
    items: list[T]


def page_bounds(page: PageParams, count: int) -> tuple[int, int]:
    """(start, stop) of a page in a list of `count` items: the one place where `limit` is
    capped and `offset` bounded, so that no database is ever handed a number past its integer
    type (SQLite and PostgreSQL both refuse an OFFSET of 2^63 or more)."""
    start = min(page.offset, count)
    return start, min(start + min(page.limit, settings.SMARTEXPO_PAGE_MAX), count)


def paginate(qs, page: PageParams, serialize: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of an ordered queryset (creation order) or list, with the total count."""
    count = len(qs) if isinstance(qs, list | tuple) else qs.count()
    start, stop = page_bounds(page, count)
    items = [serialize(obj) for obj in qs[start:stop]] if stop > start else []
    return {"count": count, "items": items}


def request_body(model) -> dict:
    """`openapi_extra` for an operation whose JSON body a hot route validates with `model`
    itself: the model's schema with its definitions written in place, since a `$ref` to
    `#/$defs/…` would point nowhere inside the OpenAPI document."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/$defs/"):
                return inline(defs[node["$ref"].removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return {"required": True, "content": {"application/json": {"schema": inline(schema)}}}


class Names(Schema):
    en: str
    zh: str


class ErrorBody(Schema):
    code: str
    message: str
    detail: dict[str, Any]


class Error(Schema):
    error: ErrorBody
