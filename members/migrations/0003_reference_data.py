from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def load_wz(apps, schema_editor):
    from members.reference import load_economic_activities

    load_economic_activities(apps.get_model("members", "EconomicActivity"))


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]

    operations = [
        # pg_trgm for the directory's fuzzy name search; a no-op on SQLite.
        TrigramExtension(),
        migrations.RunPython(load_wz, migrations.RunPython.noop),
    ]
