"""On PostgreSQL, a trigram GIN index on Product.search_text for fast substring search.

A GIN index in Meta.indexes would break SQLite, so this step runs only on PostgreSQL.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS product_search_text_trgm ON products_product USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS product_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("products", "0002_load_groups")]
    operations = [migrations.RunPython(create, drop)]
