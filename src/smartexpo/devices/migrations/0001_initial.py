"""Devices move from check-in into their own app, their tables unchanged.

Only Django's picture of the models changes (`SeparateDatabaseAndState`): the tables keep
their names (`checkin_device`, `checkin_device_gates`, `checkin_device_zones`), so a database
migrated before the move keeps its devices, tokens and bindings. An existing content type is
renamed so that admin permissions and history follow the model.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def content_type_to_devices(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label="checkin", model="device").update(
        app_label="devices"
    )


def content_type_to_checkin(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label="devices", model="device").update(
        app_label="checkin"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("checkin", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_auditentry"),
        ("venue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Device",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("scanner", "Gate scanner"), ("sensor", "Venue sensor")],
                                max_length=8,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created"
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="updated"
                            ),
                        ),
                        (
                            "revoked_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="revoked"),
                        ),
                        (
                            "expo",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="devices",
                                to="venue.expo",
                                verbose_name="edition",
                            ),
                        ),
                        (
                            "gates",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="venue.gate", verbose_name="gates"
                            ),
                        ),
                        (
                            "token",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="device",
                                to="core.apitoken",
                                verbose_name="token",
                            ),
                        ),
                        (
                            "zones",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="venue.zone", verbose_name="zones"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "device",
                        "verbose_name_plural": "devices",
                        "ordering": ["id"],
                        "db_table": "checkin_device",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_devices, content_type_to_checkin),
    ]
