from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crowd", "0004_device_moved_to_devices"),
    ]

    operations = [
        migrations.AddField(
            model_name="replayclock",
            name="achieved_speed",
            field=models.FloatField(blank=True, null=True, verbose_name="achieved speed"),
        ),
    ]
