"""Exhibitors' lead devices: booth staff's phones and tablets, each a scanner that serves no
gate and captures leads for one exhibitor, with a token of its own (each counted in the
lead's `device`)."""

from __future__ import annotations

from django.db import transaction

from smartexpo.core.errors import invalid
from smartexpo.devices.models import Device, DeviceKind
from smartexpo.devices.services import device_create, device_revoke
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.leads.models import LeadDevice
from smartexpo.venue.models import Expo


@transaction.atomic
def lead_device_create(*, expo: Expo, exhibitor: Exhibitor, name: str) -> tuple[Device, str]:
    """A new lead device of the exhibitor and its token, shown only now. It serves no gate, so
    it admits nobody at the venue's doors."""
    if exhibitor.expo_id != expo.pk:
        raise invalid({"exhibitor": "No such exhibitor in this edition."})
    device, raw = device_create(expo=expo, name=name, kind=DeviceKind.SCANNER, gateless=True)
    LeadDevice.objects.create(device=device, exhibitor=exhibitor)
    return device, raw


def lead_device_revoke(*, binding: LeadDevice) -> Device:
    """Revoke a lead device: its token is refused from the next request on. Its leads stay,
    naming it."""
    return device_revoke(device=binding.device)
