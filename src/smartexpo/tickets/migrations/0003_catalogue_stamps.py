"""Every change of a ticket type, its zones, its days or an edition's signing keys bumps the
catalogue stamp (core.stamps); the places sold on a day do not."""

from django.db import migrations

from smartexpo.core.stamps import stamp_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_stamp"),
        ("tickets", "0002_ticket_inside_day_ticket_secret_digest"),
    ]

    operations = [
        stamp_triggers(
            "tickets_tickettype",
            "tickets_tickettype_zones",
            ("tickets_dayquota", ("ticket_type_id", "day", "size")),
            "tickets_signingkey",
        )
    ]
