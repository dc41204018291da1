"""`smartexpo exhibitor-invite <expo> <exhibitor> <email> [--role admin|staff]`: invite a
person into an exhibitor's portal from the command line, and print the invitation's link.

For operators setting up an exhibitor, and for the demo. The link is printed because the
command's user is trusted with it; `--email` also sends it by email."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import Exhibitor, MemberRole


class Command(BaseCommand):
    help = "Invite a person into an exhibitor's portal and print the invitation's link."

    def add_arguments(self, parser):
        parser.add_argument("expo", help="the edition's slug, e.g. sce-2019")
        parser.add_argument("exhibitor", help="the exhibitor's slug in that edition")
        parser.add_argument("email", help="the person's email address")
        parser.add_argument("--role", choices=MemberRole.values, default=MemberRole.ADMIN)
        parser.add_argument("--language", choices=["en", "zh-hans"], default="en")
        parser.add_argument(
            "--email", dest="send", action="store_true", help="also email the link to the person"
        )

    def handle(self, *args, expo, exhibitor, email, role, language, send, **options):
        found = Exhibitor.objects.filter(expo__slug=expo, slug=exhibitor).first()
        if found is None:
            raise CommandError(f"No exhibitor {exhibitor!r} in edition {expo!r}.")
        try:
            invitation, token = members.invitation_create(exhibitor=found, email=email, role=role)
            if send:
                members.invitation_message(invitation, token, language=language).send()
        except SmartExpoError as exc:
            raise CommandError(f"{exc.message} {exc.detail or ''}".strip()) from None
        self.stdout.write(
            f"Invitation for {invitation.email} ({invitation.role}) to {found.name_en}, valid "
            f"until {invitation.expires_at:%Y-%m-%d %H:%M} UTC:"
        )
        self.stdout.write(members.invitation_link(token, language=language))
