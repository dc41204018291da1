"""`smartexpo keys list|rotate --expo SLUG`: an edition's ticket-signing keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import SigningKey
from smartexpo.tickets.services.signing_keys import signing_key_active, signing_key_rotate
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = (
        "List or rotate an edition's Ed25519 ticket-signing keys. Rotation signs new tickets "
        "with a new key; older keys stay published, so the tickets they signed stay valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "rotate"])
        parser.add_argument("--expo", required=True, help="Edition slug")

    def handle(self, *args, action: str, expo: str, **options):
        edition = Expo.objects.filter(slug=expo).first()
        if edition is None:
            raise CommandError(f"No edition with slug {expo!r}.")
        if action == "rotate":
            signing_key_active(expo=edition)  # an edition without a key gets kid 1 first
            try:
                key = signing_key_rotate(expo=edition)
            except SmartExpoError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"{edition.slug}: new tickets are signed with key {key.kid}.")
            self.stderr.write(
                "Every server process signs with it from its next registration; scanners pick "
                "the new public key up with their next keys package."
            )
            return
        for key in SigningKey.objects.filter(expo=edition).order_by("kid"):
            state = "signing" if key.active else "verify only"
            self.stdout.write(f"{key.kid}\t{state}\t{key.public_key}\t{key.created_at:%Y-%m-%d}")
