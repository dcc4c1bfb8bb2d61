"""Create the database table of the shared `catalogue` cache (used when no Redis is configured)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", "catalogue_cache", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name('catalogue_cache')}")


class Migration(migrations.Migration):
    dependencies = [("producers", "0002_load_provinces")]
    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
