import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_erasure"),
        ("venue", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketLinksRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "registrations",
                    models.JSONField(default=list, verbose_name="registrations"),
                ),
                (
                    "language",
                    models.CharField(default="en", max_length=8, verbose_name="language"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                ("lease_until", models.DateTimeField(blank=True, editable=False, null=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0, editable=False)),
                (
                    "expo",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="venue.expo",
                        verbose_name="edition",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket links request",
                "verbose_name_plural": "ticket links requests",
                "ordering": ["id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("sent_at__isnull", True)),
                        fields=["lease_until"],
                        name="ticket_links_outbox",
                    )
                ],
            },
        ),
    ]
