"""The one domain error type, and the single place that maps its codes to HTTP statuses.

Services raise `SmartExpoError(code, message, detail)`; the API turns it into
`{"error": {"code", "message", "detail"}}` with the status below, and pages show the message.
"""

from __future__ import annotations

from typing import Any

# Codes not listed here answer 409 (a conflict with the current state), the common case for
# business rules such as a booth that is already taken.
STATUS_BY_CODE: dict[str, int] = {
    "malformed": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "too_large": 413,
    "invalid": 422,
    "rate_limited": 429,
    # `GET /readyz` (core.health): the server cannot take traffic yet.
    "not_ready": 503,
    # Restricted ticket types (docs/registration-access.md): not allowed without a code, a
    # grant or an exhibitor's token; a code or grant used up is a 409 like a full day.
    "invitation_required": 403,
    "invitation_invalid": 403,
    "exhibitor_pass_only": 403,
    "no_pass_grant": 403,
}


def error_body(code: str, message: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of every refusal of the API, wherever it is answered (docs/api.md)."""
    return {"error": {"code": code, "message": message, "detail": detail or {}}}


def refusal_headers(status: int, code: str, detail: dict[str, Any] | None) -> dict[str, str]:
    """The headers a refusal carries besides its body: when to try again after a rate limit,
    and the scheme to authenticate with after a 401."""
    if code == "rate_limited":
        return {"Retry-After": str((detail or {}).get("retry_after", 60))}
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    return {}


class SmartExpoError(Exception):
    """A refusal that a caller can act on: a stable snake_case code, a human message, details."""

    def __init__(self, code: str, message: str, detail: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.detail = detail or {}

    @property
    def status(self) -> int:
        return STATUS_BY_CODE.get(self.code, 409)

    def as_body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.detail)

    def __repr__(self) -> str:
        return f"SmartExpoError(code={self.code!r}, message={self.message!r})"


def invalid(fields: dict[str, str], message: str = "The request is not valid.") -> SmartExpoError:
    """A validation error listing the offending fields, as docs/api.md requires."""
    return SmartExpoError("invalid", message, {"fields": fields})


def not_found(what: str = "object") -> SmartExpoError:
    return SmartExpoError("not_found", f"No such {what}.")
