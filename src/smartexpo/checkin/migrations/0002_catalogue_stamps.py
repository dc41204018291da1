"""Every change of the gates or zones a device serves bumps the catalogue stamp (core.stamps)."""

from django.db import migrations

from smartexpo.core.stamps import stamp_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_stamp"),
        ("checkin", "0001_initial"),
    ]

    operations = [stamp_triggers("checkin_device_gates", "checkin_device_zones")]
