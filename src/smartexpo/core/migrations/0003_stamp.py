from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_ratelimitcounter"),
    ]

    operations = [
        migrations.CreateModel(
            name="Stamp",
            fields=[
                ("name", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "core_stamp"},
        ),
    ]
