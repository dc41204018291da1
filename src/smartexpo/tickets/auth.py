"""Who may act on a registration through the API: its own manage token, or an organiser.

Used by every endpoint that names a registration (tickets' and personal data's), so the rule —
another registration's token gets a 404, never a hint that the id exists — is written once.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from smartexpo.core.errors import not_found
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import require_role, token_resolve
from smartexpo.tickets import issuing, selectors
from smartexpo.tickets.models import Registration
from smartexpo.venue import selectors as venue_selectors


class TokenOrManageToken(HttpBearer):
    """An API token, or a registration's own `manage_token` (good for that registration only)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | Registration | None:
        token = token.strip()
        if token.startswith(issuing.MANAGE_PREFIX):
            return selectors.registration_by_manage_token(raw=token)
        return token_resolve(raw=token)


token_or_manage = TokenOrManageToken()


def registration_for(auth: ApiToken | Registration, *, expo: str, pk: int) -> Registration:
    """The registration `pk` of edition `expo` if `auth` (a request's `token_or_manage`) may act
    on it: its own manage token, or an organiser's token. Refusals: `not_found` for another
    registration's token, `forbidden` for other roles."""
    edition = venue_selectors.expo_get(slug=expo)
    if isinstance(auth, Registration):
        # Another registration's manage token must not learn whether this id exists.
        if auth.pk != pk or auth.expo_id != edition.pk:
            raise not_found("registration")
    else:
        require_role(auth, Role.ORGANIZER, expo=edition)
    return selectors.registration_get(expo=edition, pk=pk)
