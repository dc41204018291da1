"""`smartexpo meeting_noshows <expo>`: record the no-shows of the edition's ended meetings
(docs/meetings-checkin.md). Safe to run at any time, as often as wanted, even twice at once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartexpo.meetings.services.noshows import noshows_record
from smartexpo.venue.models import Expo


class Command(BaseCommand):
    help = "Record the no-shows of an edition's business meetings that have ended."

    def add_arguments(self, parser):
        parser.add_argument("expo", help="Edition slug, e.g. sce-2019")

    def handle(self, *args, expo: str, **options):
        edition = Expo.objects.filter(slug=expo).first()
        if edition is None:
            raise CommandError(f"No edition {expo!r}.")
        counted = noshows_record(expo=edition)
        self.stdout.write(f"{expo}: {counted} no-shows recorded.")
