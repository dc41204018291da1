"""The demo organiser account and gate scanner: created once, their random password and token
kept in the data directory, so that `make demo` shows the same ones every time."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_USERNAME = "organizer"


@transaction.atomic
def demo_organiser_ensure() -> tuple[str, str]:
    """Make sure the demo organiser (a superuser) exists; return its user name and password.

    The password is random per installation, never a default anyone could guess, and is kept
    readable only by its owner beside the SQLite database so that `make demo` can show it again.
    """
    _user, password = _kept_password_account(
        username=DEMO_USERNAME,
        kept_in="demo-organiser-password",
        create=lambda User, password: User.objects.create_superuser(
            DEMO_USERNAME, "organizer@example.org", password
        ),
        on_reset={"is_staff": True, "is_superuser": True},
    )
    return DEMO_USERNAME, password


def _kept_password_account(*, username: str, kept_in: str, create, on_reset=None):
    """(user, password) of the demo account `username`, whose random password is kept in the
    data directory's file `kept_in`. A new password is made and kept when the kept one is
    missing or no longer signs in; `create(User, password)` makes a missing account, and an
    existing one gets the new password and the fields `on_reset`."""
    path = settings.DATA_DIR / kept_in
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    password = path.read_text().strip() if path.exists() else ""
    if user is None or not password or not user.check_password(password):
        password = secrets.token_urlsafe(12)
        _keep_secret(path, password)
        if user is None:
            user = create(User, password)
        else:
            user.set_password(password)
            for field, value in (on_reset or {}).items():
                setattr(user, field, value)
            user.save()
    return user, password


DEMO_SCANNER = "Demo scanner (North Entrance Hall, hall M)"
# The north entrance into the venue, and the professional-only hall M, where a public day pass
# is refused (`zone_not_allowed`).
DEMO_SCANNER_GATES = ("G-N", "G-M")


@transaction.atomic
def demo_scanner_token(*, expo_slug: str = "sce-2019") -> str | None:
    """The token of the demo's gate scanner (North Entrance Hall and hall M's gate).

    Tokens are stored only as digests, so the demo keeps this one's clear text in the data
    directory, readable by its owner only, like the organiser's password: `make demo` shows the
    same token every time, and a scanner page set up with it keeps working. A new one is issued
    (and the demo's old scanners revoked) only when the kept token no longer works: revoked, of
    a database seeded again from scratch, or bound to other gates. None without the edition."""
    from smartexpo.venue.models import Gate

    return _kept_scanner(
        expo_slug=expo_slug,
        name=DEMO_SCANNER,
        gates=lambda expo: Gate.objects.filter(expo=expo, code__in=DEMO_SCANNER_GATES),
        kept_in="demo-scanner-token",
    )


DEMO_DOOR_SCANNER = "Demo door scanner (forum rooms)"


@transaction.atomic
def demo_door_scanner_token(*, expo_slug: str = "sce-2019") -> str | None:
    """The token of the demo's scanner at every forum room's door, kept as the gate scanner's
    is (`demo_scanner_token`): it admits tickets into the session running in the room."""
    from smartexpo.venue.models import Gate, ZoneKind

    return _kept_scanner(
        expo_slug=expo_slug,
        name=DEMO_DOOR_SCANNER,
        gates=lambda expo: Gate.objects.filter(expo=expo, zone__kind=ZoneKind.ROOM),
        kept_in="demo-door-scanner-token",
    )


def _kept_scanner(*, expo_slug: str, name: str, gates, kept_in: str) -> str | None:
    """The kept token of the demo scanner `name` serving the gates `gates(expo)` selects,
    issued again (its name's old devices revoked) when the kept one no longer works."""
    from smartexpo.devices.models import Device
    from smartexpo.devices.services import device_create, device_revoke
    from smartexpo.venue.models import Expo

    expo = Expo.objects.filter(slug=expo_slug).first()
    if expo is None:
        return None
    codes = list(gates(expo).order_by("code").values_list("code", flat=True))
    if not codes:
        return None
    path = settings.DATA_DIR / kept_in
    kept = path.read_text().strip() if path.exists() else ""
    if kept and _scanner_works(expo=expo, raw=kept, name=name, gates=codes):
        return kept
    for old in Device.objects.filter(
        expo=expo, name__startswith=name.split(" (")[0], revoked_at__isnull=True
    ):
        device_revoke(device=old)
    _device, token = device_create(expo=expo, name=name, kind="scanner", gates=codes)
    _keep_secret(path, token)
    return token


def _scanner_works(*, expo, raw: str, name: str, gates: list[str]) -> bool:
    """Whether `raw` is the live token of the live demo scanner `name` of `expo` serving
    `gates`."""
    from smartexpo.core.tokens import token_digest
    from smartexpo.devices.models import Device

    device = (
        Device.objects.filter(
            expo=expo,
            kind="scanner",
            name=name,
            revoked_at__isnull=True,
            token__digest=token_digest(raw),
            token__revoked_at__isnull=True,
            token__expo=expo,
        )
        .prefetch_related("gates")
        .first()
    )
    return device is not None and sorted(g.code for g in device.gates.all()) == gates


def _keep_secret(path: Path, value: str) -> None:
    """Write `value` to `path`, readable and writable by its owner only from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    path.chmod(0o600)  # a file that existed keeps its mode through os.open


DEMO_EXHIBITOR = ("sce-2019", "huawei")
DEMO_EXHIBITOR_EMAIL = "exhibitor@huawei.example.com"


@transaction.atomic
def demo_exhibitor_admin_ensure() -> tuple[str, str, str] | None:
    """Make sure the demo has an administrator in the portal of one well-known exhibitor
    (Huawei, 2019); return (email, password, the portal's path), or None before the demo is
    seeded. The password is kept as the organiser's is (`demo_organiser_ensure`)."""
    from smartexpo.exhibitors.models import Exhibitor, ExhibitorMember, MemberRole

    expo_slug, slug = DEMO_EXHIBITOR
    exhibitor = Exhibitor.objects.filter(expo__slug=expo_slug, slug=slug).first()
    if exhibitor is None:
        return None
    user, password = _kept_password_account(
        username=DEMO_EXHIBITOR_EMAIL,
        kept_in="demo-exhibitor-password",
        create=lambda User, password: User.objects.create_user(
            DEMO_EXHIBITOR_EMAIL,
            email=DEMO_EXHIBITOR_EMAIL,
            password=password,
            first_name="Demo exhibitor",
        ),
    )
    ExhibitorMember.objects.update_or_create(
        user=user, exhibitor=exhibitor, defaults={"role": MemberRole.ADMIN}
    )
    return DEMO_EXHIBITOR_EMAIL, password, f"/portal/{expo_slug}/{slug}/"
