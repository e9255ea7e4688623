"""Entry images are served by an unguessable key instead of the counting id: add the key, give every row its own, then (0005) make it unique."""

import secrets

from django.db import migrations, models

import newsletters.models


def fill_image_keys(apps, schema_editor):
    Entry = apps.get_model("newsletters", "Entry")
    for entry in Entry.objects.only("pk").iterator():
        Entry.objects.filter(pk=entry.pk).update(image_key=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0003_infobrief_test_sent_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="image_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_image_keys, migrations.RunPython.noop),
        migrations.AddField(
            model_name="historicalentry",
            name="image_key",
            field=models.CharField(db_index=True, default=newsletters.models.new_image_key, editable=False, max_length=64),
        ),
    ]
