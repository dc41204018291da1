"""The people of an exhibitor's portal: members and their roles, and the invitations that make
new ones. Reads and writes of `ExhibitorMember` and `ExhibitorInvitation` live here.

An invitation is a link with a random token, emailed to one address and valid for seven days;
only the token's SHA-256 is stored. Accepting, revoking and replacing an invitation are each
one conditional UPDATE of a live invitation (neither accepted, revoked nor expired), so of two
people acting on it at once exactly one wins. An exhibitor always keeps an administrator: the
changes that could take away the last one run one at a time per exhibitor.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.core.ratelimit import rate_limit_enforce
from smartexpo.core.tokens import token_digest
from smartexpo.exhibitors.models import Exhibitor, ExhibitorInvitation, ExhibitorMember, MemberRole

logger = logging.getLogger("smartexpo.mail")

INVITATION_DAYS = 7


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
        .defer("logo__data")
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


def _live(now=None) -> Q:
    now = now or timezone.now()
    return Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


def invitation_create(
    *, exhibitor: Exhibitor, email: str, role: str, invited_by=None
) -> tuple[ExhibitorInvitation, str]:
    """Invite a person by email into an exhibitor's portal; returns the invitation and its
    token, which exists nowhere else (the link `invitation_link` makes of it).

    An invitation still waiting for the same address is replaced (revoked), so one live link
    at most reaches a person. `invited_by` (a user) is limited to
    `SMARTEXPO_RATE_LIMIT_INVITATIONS` invitations a minute. Refusals: `invalid` (422) at
    `email` or `role`, `already_member` (409), `rate_limited` (429)."""
    email = (email or "").strip()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    if role not in MemberRole.values:
        errors["role"] = _("Choose a role.")
    if errors:
        raise invalid(errors)
    if ExhibitorMember.objects.filter(exhibitor=exhibitor, user__email__iexact=email).exists():
        raise SmartExpoError(
            "already_member",
            _("%(email)s is already a member of this exhibitor's team.") % {"email": email},
        )
    if invited_by is not None:
        rate_limit_enforce(
            scope="exhibitor-invitations",
            client=f"user:{invited_by.pk}:{invited_by.get_username()}",
            limit=settings.SMARTEXPO_RATE_LIMIT_INVITATIONS,
            message=_("Too many invitations in a minute; please try again in a minute."),
        )
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        ExhibitorInvitation.objects.filter(
            _live(now), exhibitor=exhibitor, email__iexact=email
        ).update(revoked_at=now)
        invitation = ExhibitorInvitation.objects.create(
            exhibitor=exhibitor,
            email=email,
            role=role,
            digest=token_digest(raw),
            invited_by=invited_by,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
    return invitation, raw


def invitation_link(token: str, *, language: str = "en") -> str:
    """The absolute address of an invitation's page, in a language."""
    with translation.override(language):
        path = reverse("portal:accept", args=[token])
    return settings.SMARTEXPO_BASE_URL.rstrip("/") + path


def invitation_message(invitation: ExhibitorInvitation, token: str, *, language: str):
    """The invitation's email: who invites whom into which exhibitor's portal, and the link."""
    exhibitor = invitation.exhibitor
    with translation.override(language):
        values = {
            "exhibitor": exhibitor.name,
            "expo": exhibitor.expo.name,
            "role": invitation.get_role_display(),
            "days": INVITATION_DAYS,
        }
        subject = _("Your invitation to the exhibitor portal of %(exhibitor)s") % values
        body = "\n".join(
            [
                _("Hello,"),
                "",
                _(
                    "you are invited to join %(exhibitor)s in the exhibitor portal of "
                    "%(expo)s, as %(role)s. There you can edit your company's profile and "
                    "showcase and work with your team."
                )
                % values,
                "",
                _("Accept the invitation here (the link is valid for %(days)d days):") % values,
                invitation_link(token, language=language),
                "",
                _("If you did not expect this invitation, ignore this email."),
                "",
                "— SmartExpo",
            ]
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def invitation_send(
    *,
    exhibitor: Exhibitor,
    email: str,
    role: str,
    invited_by=None,
    language: str = "en",
) -> ExhibitorInvitation:
    """Invite a person (`invitation_create`) and email them the link, in `language`.

    The email is sent at once, not from an outbox: the token it carries is stored nowhere.
    When the mail server refuses, the invitation stays listed and `email_failed` (409) says
    so; inviting the address again replaces it with a new link."""
    invitation, token = invitation_create(
        exhibitor=exhibitor, email=email, role=role, invited_by=invited_by
    )
    try:
        invitation_message(invitation, token, language=language).send()
    except Exception:  # any refusal of the mail server: the person is told, not a 500
        logger.exception("Invitation email %s failed", invitation.pk)
        raise SmartExpoError(
            "email_failed", _("The invitation could not be emailed; please try again later.")
        ) from None
    return invitation


def invitation_state(invitation: ExhibitorInvitation | None) -> str:
    """What can be done with an invitation now: "valid", "accepted", "revoked", "expired" or,
    for none, "unknown"."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "valid"


def invitation_get(*, token: str) -> ExhibitorInvitation | None:
    """The invitation of a link's token (whatever its state), or None."""
    if not token or len(token) > 100:
        return None
    return (
        ExhibitorInvitation.objects.select_related("exhibitor", "exhibitor__expo")
        .filter(digest=token_digest(token))
        .first()
    )


def _refuse_state(state: str) -> SmartExpoError:
    messages = {
        "accepted": _("This invitation has been used already."),
        "revoked": _("This invitation was withdrawn."),
        "expired": _("This invitation has expired."),
        "unknown": _("This invitation link is not valid."),
    }
    return SmartExpoError(f"invitation_{state}", messages[state])


@transaction.atomic
def invitation_accept(*, token: str, user) -> ExhibitorMember:
    """Make a signed-in user a member by an invitation's link, which is then used up.

    A member already keeps their membership, raised to administrator by an administrator's
    invitation. Refusals (409): `invitation_accepted`, `invitation_revoked`,
    `invitation_expired`, `invitation_unknown`."""
    invitation = invitation_get(token=token)
    now = timezone.now()
    taken = (
        invitation is not None
        and ExhibitorInvitation.objects.filter(_live(now), pk=invitation.pk).update(
            accepted_at=now, accepted_by=user
        )
        == 1
    )
    if not taken:
        if invitation is not None:
            invitation.refresh_from_db()
        raise _refuse_state(invitation_state(invitation))
    member, created = ExhibitorMember.objects.get_or_create(
        user=user, exhibitor=invitation.exhibitor, defaults={"role": invitation.role}
    )
    if not created and invitation.role == MemberRole.ADMIN and member.role != MemberRole.ADMIN:
        member.role = MemberRole.ADMIN
        member.save(update_fields=["role"])
    return member


def invitation_accept_new_account(*, token: str, name: str, password: str):
    """Accept an invitation with a new account for its email address: the person's name and
    a password that Django's password validators accept. Returns the new user.

    Refusals: `invalid` (422) at `name` or `password`; `account_exists` (409) when the address
    has an account already (its owner signs in, then opens the link); and those of
    `invitation_accept`."""
    invitation = invitation_get(token=token)
    state = invitation_state(invitation)
    if state != "valid":
        raise _refuse_state(state)
    name = (name or "").strip()
    User = get_user_model()
    email = invitation.email.strip()
    candidate = User(username=email.lower(), email=email, first_name=name[:150])
    errors = {}
    if not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > 150:
        errors["name"] = _("At most %(limit)d characters.") % {"limit": 150}
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise invalid(errors)
    if User.objects.filter(Q(username=email.lower()) | Q(email__iexact=email)).exists():
        raise SmartExpoError(
            "account_exists",
            _("An account with this email address exists already: sign in, then open the link."),
        )
    try:
        with transaction.atomic():
            candidate.set_password(password)
            candidate.save()
            invitation_accept(token=token, user=candidate)
    except IntegrityError:
        raise SmartExpoError(
            "account_exists",
            _("An account with this email address exists already: sign in, then open the link."),
        ) from None
    return candidate


def invitation_revoke(*, invitation: ExhibitorInvitation) -> None:
    """Withdraw an invitation, whose link then opens nothing. Refused (409
    `invitation_accepted`, …) when it was accepted, revoked or expired meanwhile."""
    now = timezone.now()
    if not ExhibitorInvitation.objects.filter(_live(now), pk=invitation.pk).update(revoked_at=now):
        invitation.refresh_from_db()
        raise _refuse_state(invitation_state(invitation))
    invitation.revoked_at = now


def _lock_team(exhibitor: Exhibitor) -> None:
    # PostgreSQL locks the exhibitor's row; SQLite's IMMEDIATE transactions already run one
    # writer at a time. Either way two changes of one team's admins do not interleave.
    list(Exhibitor.objects.select_for_update().filter(pk=exhibitor.pk).values_list("pk"))


def _keeps_an_admin(member: ExhibitorMember) -> bool:
    others = ExhibitorMember.objects.filter(
        exhibitor_id=member.exhibitor_id, role=MemberRole.ADMIN
    ).exclude(pk=member.pk)
    return others.exists()


LAST_ADMIN = gettext_lazy(
    "An exhibitor keeps at least one administrator: make someone else one first."
)


@transaction.atomic
def member_set_role(*, member: ExhibitorMember, role: str) -> ExhibitorMember:
    """Change a member's role. Refused (409 `last_admin`) when it would leave the exhibitor
    without an administrator; `invalid` (422) for an unknown role."""
    if role not in MemberRole.values:
        raise invalid({"role": _("Choose a role.")})
    _lock_team(member.exhibitor)
    member.refresh_from_db()
    if member.role == MemberRole.ADMIN and role != MemberRole.ADMIN and not _keeps_an_admin(member):
        raise SmartExpoError("last_admin", str(LAST_ADMIN))
    if member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    return member


@transaction.atomic
def member_remove(*, member: ExhibitorMember) -> None:
    """Take a person off an exhibitor's team (their account stays). Refused (409
    `last_admin`) for the last administrator."""
    _lock_team(member.exhibitor)
    current = ExhibitorMember.objects.filter(pk=member.pk).first()
    if current is None:
        return
    if current.role == MemberRole.ADMIN and not _keeps_an_admin(current):
        raise SmartExpoError("last_admin", str(LAST_ADMIN))
    current.delete()


def member_get(*, exhibitor: Exhibitor, pk: int) -> ExhibitorMember | None:
    """One member of an exhibitor's team, or None."""
    return ExhibitorMember.objects.select_related("user").filter(exhibitor=exhibitor, pk=pk).first()


def invitation_of(*, exhibitor: Exhibitor, pk: int) -> ExhibitorInvitation | None:
    """One invitation of an exhibitor, or None."""
    return ExhibitorInvitation.objects.filter(exhibitor=exhibitor, pk=pk).first()
