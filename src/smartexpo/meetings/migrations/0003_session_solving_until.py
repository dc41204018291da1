from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_meeting_devices")]

    operations = [
        migrations.AddField(
            model_name="meetingsession",
            name="solving_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
