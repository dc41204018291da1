"""Every change of the technology tags bumps the catalogue stamp (core.stamps)."""

from django.db import migrations

from smartexpo.core.stamps import stamp_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_stamp"),
        ("exhibitors", "0001_initial"),
    ]

    operations = [stamp_triggers("exhibitors_tag")]
