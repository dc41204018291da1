"""The audit log: services record the acts that must be answerable (personal data exported or
erased), with who did them, in the transaction that does them.

An actor is described, never identified by personal data: a visitor acting with a manage
token is "visitor (manage token)", an API token by its prefix and name, a back-office user
by username.
"""

from __future__ import annotations

from typing import Any

from smartexpo.core.models import ApiToken, AuditEntry

VISITOR = "visitor (manage token)"


def actor_token(token: ApiToken) -> str:
    """How an API token is named in the log: its first characters and its name."""
    return f"token {token.prefix}… ({token.name})"


def actor_admin(user) -> str:
    """How a back-office user is named in the log."""
    return f"admin {user.get_username()}"


def audit_record(
    *, actor: str, action: str, target: str, expo=None, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Write one entry (inside the caller's transaction, so it exists exactly when the act
    does). `detail` must hold no personal data: counts, ids, codes."""
    return AuditEntry.objects.create(
        actor=actor[:200], action=action, target=target[:100], expo=expo, detail=detail or {}
    )
