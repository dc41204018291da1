"""The demo organiser account: created once with a random password kept in the data directory."""

from __future__ import annotations

import secrets

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
    path = settings.DATA_DIR / "demo-organiser-password"
    User = get_user_model()
    user = User.objects.filter(username=DEMO_USERNAME).first()
    password = path.read_text().strip() if path.exists() else ""
    if user is None or not password or not user.check_password(password):
        password = secrets.token_urlsafe(12)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(password)
        path.chmod(0o600)
        if user is None:
            User.objects.create_superuser(DEMO_USERNAME, "organizer@example.org", password)
        else:
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
    return DEMO_USERNAME, password


DEMO_SCANNER = "Demo scanner (North Entrance Hall, hall M)"
# The north entrance into the venue, and the professional-only hall M, where a public day pass
# is refused (`zone_not_allowed`).
DEMO_SCANNER_GATES = ("G-N", "G-M")


@transaction.atomic
def demo_scanner_token(*, expo_slug: str = "sce-2019") -> str | None:
    """A fresh token for the demo's gate scanner (North Entrance Hall and hall M's gate).

    Tokens are stored only as digests, so the demo cannot show an old one again: each call
    revokes the previous demo scanner and issues a new one. None without the demo edition."""
    from smartexpo.devices.models import Device
    from smartexpo.devices.services import device_create, device_revoke
    from smartexpo.venue.models import Expo, Gate

    expo = Expo.objects.filter(slug=expo_slug).first()
    if expo is None:
        return None
    for old in Device.objects.filter(
        expo=expo, name__startswith="Demo scanner", revoked_at__isnull=True
    ):
        device_revoke(device=old)
    gates = list(
        Gate.objects.filter(expo=expo, code__in=DEMO_SCANNER_GATES)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not gates:
        return None
    _device, token = device_create(expo=expo, name=DEMO_SCANNER, kind="scanner", gates=gates)
    return token


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
    path = settings.DATA_DIR / "demo-exhibitor-password"
    User = get_user_model()
    user = User.objects.filter(username=DEMO_EXHIBITOR_EMAIL).first()
    password = path.read_text().strip() if path.exists() else ""
    if user is None or not password or not user.check_password(password):
        password = secrets.token_urlsafe(12)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(password)
        path.chmod(0o600)
        if user is None:
            user = User.objects.create_user(
                DEMO_EXHIBITOR_EMAIL,
                email=DEMO_EXHIBITOR_EMAIL,
                password=password,
                first_name="Demo exhibitor",
            )
        else:
            user.set_password(password)
            user.save()
    ExhibitorMember.objects.update_or_create(
        user=user, exhibitor=exhibitor, defaults={"role": MemberRole.ADMIN}
    )
    return DEMO_EXHIBITOR_EMAIL, password, f"/portal/{expo_slug}/{slug}/"
