"""Issuing and resolving API tokens (services and selectors of the core app)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.core.models import ApiToken, Role

TOKEN_PREFIX = {Role.ORGANIZER: "sxo_", Role.EXHIBITOR: "sxe_", Role.DEVICE: "sxd_"}


def token_digest(raw: str) -> str:
    """The stored SHA-256 of an API token."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, role: str, name: str, expo=None, exhibitor=None) -> tuple[ApiToken, str]:
    """Issue a token and return it with its clear text, which is never stored or shown again."""
    if role not in Role.values:
        raise invalid({"role": f"Must be one of: {', '.join(Role.values)}."})
    name = (name or "").strip()
    if not name:
        raise invalid({"name": "A name is required."})
    if len(name) > 120:
        raise invalid({"name": "At most 120 characters."})
    if exhibitor is not None and expo is not None and exhibitor.expo_id != expo.pk:
        raise invalid({"exhibitor": "The exhibitor belongs to another edition."})
    if role == Role.EXHIBITOR:
        if exhibitor is None:
            raise invalid({"exhibitor": "An exhibitor token is bound to one exhibitor."})
        expo = exhibitor.expo
    if role in (Role.EXHIBITOR, Role.DEVICE) and expo is None:
        raise invalid({"expo": "This token is bound to one edition."})
    if role == Role.ORGANIZER:
        expo = None
    raw = TOKEN_PREFIX[Role(role)] + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        role=role,
        name=name,
        digest=token_digest(raw),
        prefix=raw[:12],
        expo=expo,
        exhibitor=exhibitor,
    )
    return token, raw


def token_resolve(*, raw: str) -> ApiToken | None:
    """The live token for a clear-text bearer value, or None (unknown or revoked)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("expo", "exhibitor")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        # Recording last use on every request would add a write to every read; once a minute
        # is enough to show organisers which tokens are alive.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token; it is refused (401) from the next request on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def exhibitor_tokens(*, exhibitor) -> list[ApiToken]:
    """An exhibitor's API tokens, revoked ones included, newest first."""
    return list(ApiToken.objects.filter(role=Role.EXHIBITOR, exhibitor=exhibitor).order_by("-id"))


def exhibitor_token_get(*, exhibitor, pk) -> ApiToken:
    """One of an exhibitor's tokens, or `not_found` (another exhibitor's token does not exist
    for it)."""
    try:
        return ApiToken.objects.get(role=Role.EXHIBITOR, exhibitor=exhibitor, pk=int(pk))
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise not_found("token") from None


def require_role(token: ApiToken | None, *roles: str, expo=None) -> ApiToken:
    """Refuse a request whose token lacks one of `roles`, or is bound to another edition."""
    if token is None:
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    if token.role not in roles:
        raise SmartExpoError("forbidden", "This token's role may not do this.")
    if expo is not None and token.expo_id is not None and token.expo_id != expo.pk:
        raise SmartExpoError("forbidden", "This token belongs to another edition.")
    return token
