"""The portal's API tokens: an exhibitor's administrators make tokens for their own systems
(the exhibitor's API: its footfall, its staff passes) and revoke them. A token is shown once,
in the answer to the request that made it; only its digest and first characters are kept
(`core.tokens`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import Role
from smartexpo.core.tokens import exhibitor_token_get, exhibitor_tokens, token_create, token_revoke
from smartexpo.portal.access import portal_view


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        help_text=gettext_lazy("What the token is for, for example “CRM sync”."),
        error_messages={"required": gettext_lazy("Give the token a name.")},
    )


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("portal:api-tokens", expo=request.expo.slug, exhibitor=request.exhibitor.slug)


# The answer that shows a new token is the only place it ever appears: no cache keeps it.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(admin_only=True)
def api_tokens(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    firm = request.exhibitor
    form = TokenForm(request.POST or None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = token_create(
                role=Role.EXHIBITOR, name=form.cleaned_data["name"], exhibitor=firm
            )
        except SmartExpoError:
            # The form has checked what the service checks; nothing else can be wrong.
            form.add_error("name", _("The token could not be made. Please try again."))
        else:
            form = TokenForm()
    context = {
        "expo": request.expo,
        "exhibitor": firm,
        "form": form,
        "tokens": exhibitor_tokens(exhibitor=firm),
        "created": created,
        "raw": raw,
    }
    status = 422 if form.errors else 200
    return render(request, "portal/api_tokens.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(admin_only=True)
def api_token_revoke(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    try:
        token = exhibitor_token_get(exhibitor=request.exhibitor, pk=pk)
    except SmartExpoError:
        raise Http404 from None
    if request.method == "POST":
        if token.revoked_at is None:
            token_revoke(token=token)
            messages.success(
                request,
                _("The token “%(name)s” is revoked: it is refused from now on.")
                % {"name": token.name},
            )
        return _back(request)
    context = {"expo": request.expo, "exhibitor": request.exhibitor, "token": token}
    return render(request, "portal/api_token_revoke.html", context)
