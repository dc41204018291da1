"""The people of an exhibitor's portal: members and their roles, and the invitations that make
new ones. Reads and writes of `ExhibitorMember` and `ExhibitorInvitation` live here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from smartexpo.exhibitors.models import Exhibitor, ExhibitorInvitation, ExhibitorMember, MemberRole


def is_organiser(user) -> bool:
    """Whether a user runs the expo (back-office staff allowed to change exhibitors), and so may
    open any exhibitor's portal."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("exhibitors.change_exhibitor")
    )


def portal_exhibitor(*, expo_slug: str, slug: str) -> Exhibitor | None:
    """The exhibitor a portal address names (whatever its approval), or None."""
    return (
        Exhibitor.objects.select_related("expo", "sector", "logo")
        .filter(expo__slug=expo_slug, slug=slug)
        .first()
    )


def membership_get(*, user, exhibitor: Exhibitor) -> ExhibitorMember | None:
    """The user's membership of the exhibitor, or None."""
    if not user.is_authenticated:
        return None
    return ExhibitorMember.objects.filter(user=user, exhibitor=exhibitor).first()


def memberships_of(user) -> QuerySet[ExhibitorMember]:
    """The exhibitors a user belongs to, newest edition first."""
    return (
        ExhibitorMember.objects.filter(user=user)
        .select_related("exhibitor", "exhibitor__expo")
        .order_by("-exhibitor__expo__starts_on", "exhibitor__name_en")
    )


def member_list(*, exhibitor: Exhibitor) -> QuerySet[ExhibitorMember]:
    """An exhibitor's members, administrators first."""
    return (
        ExhibitorMember.objects.filter(exhibitor=exhibitor)
        .select_related("user")
        .order_by("role", "user__email", "id")
    )


def is_admin(membership: ExhibitorMember | None) -> bool:
    """Whether a membership may manage the team (None is an organiser, who may)."""
    return membership is None or membership.role == MemberRole.ADMIN


def invitation_pending_list(*, exhibitor: Exhibitor) -> QuerySet[ExhibitorInvitation]:
    """An exhibitor's invitations neither accepted, revoked nor expired, newest first."""
    return ExhibitorInvitation.objects.filter(
        exhibitor=exhibitor,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at", "-id")
