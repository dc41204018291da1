"""The device model now lives in the `devices` app (its tables are unchanged, see
devices/migrations/0001_initial): sensor events' foreign key points there. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crowd", "0003_occupancy_frames"),
        ("devices", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="sensorevent",
                    name="device",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="devices.device",
                        verbose_name="device",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
