"""The image keys filled by 0004 become unique (a migration of its own: PostgreSQL refuses to alter a table with pending trigger events)."""

from django.db import migrations, models

import newsletters.models


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0004_entry_image_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="image_key",
            field=models.CharField(default=newsletters.models.new_image_key, editable=False, max_length=64, unique=True),
        ),
    ]
