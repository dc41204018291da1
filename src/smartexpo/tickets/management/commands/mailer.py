"""`smartexpo mailer`: sends the visitors' emails from their outboxes (`serve` starts one)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from smartexpo.core.outboxes import outboxes_send
from smartexpo.core.stopping import StopRequest, die_with_parent
from smartexpo.tickets.services.confirmations import confirmations_send
from smartexpo.tickets.services.ticket_links import ticket_links_send
from smartexpo.tickets.services.waitlist import offers_expire, offers_notify


class Command(BaseCommand):
    help = (
        "Send confirmation, waiting-list and ticket-links emails, and those of the registered "
        "outboxes, and expire unclaimed offers, continuously (or once with --once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is pending and stop")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls")

    def handle(self, *args, once: bool, interval: float, **options):
        # Any number of SIGTERMs and SIGINTs, even one inside another, are one stop: the batch
        # in progress is finished, then the loop ends.
        stop = StopRequest().install()
        die_with_parent()  # started by `serve`: stop with it, even when it is killed outright
        total = 0
        while not stop.requested:
            close_old_connections()
            offers_expire()
            # And the outboxes higher apps registered (the meetings' schedule emails).
            sent = confirmations_send() + offers_notify() + ticket_links_send() + outboxes_send()
            total += sent
            if once and not sent:
                break
            if not sent:
                # In short naps, so a stop is seen within a tenth of a second, not an interval.
                wake = time.monotonic() + interval
                while not stop.requested and time.monotonic() < wake:
                    time.sleep(min(0.1, interval))
        if once:
            self.stdout.write(f"{total} confirmation emails sent.")
