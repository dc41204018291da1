"""Every change of an edition, its zones or its gates bumps the catalogue stamp (core.stamps)."""

from django.db import migrations

from smartexpo.core.stamps import stamp_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_stamp"),
        ("venue", "0001_initial"),
    ]

    operations = [stamp_triggers("venue_expo", "venue_zone", "venue_gate")]
