"""GIN trigram indexes for the search everywhere over people (composition.search._contacts: icontains → UPPER(…) LIKE).

PostgreSQL only (pg_trgm comes with migration 0005); SQLite scans, as before.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email", "function")


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS members_contact_{column}_upper_trgm ON members_contact USING gin (UPPER({column}) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS members_contact_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0008_membership_sort_name_directory_indexes")]

    operations = [migrations.RunPython(add_indexes, drop_indexes, elidable=False)]
