"""The device model now lives in the `devices` app (its tables are unchanged, see
devices/migrations/0001_initial): the log's foreign key points there, and check-in forgets
the model. State only: nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkin", "0001_initial"),
        ("devices", "0001_initial"),
        # Sensor events point at the new model first: the old one may go only then.
        ("crowd", "0004_device_moved_to_devices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="scan",
                    name="device",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scans",
                        to="devices.device",
                        verbose_name="device",
                    ),
                ),
                migrations.DeleteModel(name="Device"),
            ],
            database_operations=[],
        ),
    ]
