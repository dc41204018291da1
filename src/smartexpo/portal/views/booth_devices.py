"""The portal's booth devices: the phones and tablets the exhibitor's staff capture leads with
on the booth page. An administrator makes a device for a member of staff, whose token is shown
once (only its digest is kept), sees when each device last reached the server, and revokes a
lost one. A device's token captures leads and reads the exhibitor's leads, so, like the API
tokens, only the exhibitor's admins (and organisers) manage them (`leads.services.devices`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from smartexpo.core.errors import SmartExpoError
from smartexpo.leads import selectors as leads
from smartexpo.leads.services.devices import lead_device_create, lead_device_revoke
from smartexpo.portal.access import portal_view
from smartexpo.portal.lead_forms import DeviceForm
from smartexpo.tickets.render import qr_svg


def _inline_svg(text: str) -> str:
    # An XML declaration has no place inside an HTML document.
    svg = qr_svg(text).decode()
    return svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg


def _booth(request: HttpRequest) -> dict:
    """The booth page's address, and its QR code for a phone's camera. The token is never in
    it: a device's token is pasted once on the device, and stays there."""
    url = request.build_absolute_uri(reverse("booth:page", args=[request.expo.slug]))
    return {"booth_url": url, "booth_qr": _inline_svg(url)}


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(
        "portal:booth-devices", expo=request.expo.slug, exhibitor=request.exhibitor.slug
    )


# The answer that shows a new token is the only place it ever appears: no cache keeps it.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(admin_only=True)
def booth_devices(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    edition, firm = request.expo, request.exhibitor
    form = DeviceForm(request.POST or None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = lead_device_create(
                expo=edition, exhibitor=firm, name=form.cleaned_data["name"]
            )
        except SmartExpoError:
            # The form has checked what the service checks; nothing else can be wrong.
            form.add_error("name", _("The device could not be made. Please try again."))
        else:
            form = DeviceForm()
    context = {
        "expo": edition,
        "exhibitor": firm,
        "form": form,
        "devices": list(leads.lead_devices(expo=edition, exhibitor=firm)),
        "created": created,
        "raw": raw,
        **_booth(request),
    }
    return render(request, "portal/booth_devices.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(admin_only=True)
def booth_device_revoke(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    try:
        binding = leads.lead_device_get(expo=request.expo, pk=pk, exhibitor=request.exhibitor)
    except SmartExpoError:
        raise Http404 from None
    device = binding.device
    if request.method == "POST":
        if device.revoked_at is None:
            lead_device_revoke(binding=binding)
            messages.success(
                request,
                _("The device “%(name)s” is revoked: its token is refused from now on.")
                % {"name": device.name},
            )
        return _back(request)
    context = {"expo": request.expo, "exhibitor": request.exhibitor, "device": device}
    return render(request, "portal/booth_device_revoke.html", context)
