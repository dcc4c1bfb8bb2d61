"""On PostgreSQL, a trigram GiST index on Product.name_key: the near misses of a search that found
nothing are the names nearest to it, read in distance order from this index (a k-nearest-neighbour
scan that stops after a few rows) instead of a similarity computed for every product.

A GiST index in Meta.indexes would break SQLite, so this step runs only on PostgreSQL. It is built
CONCURRENTLY (outside a transaction): staff keep saving products while it builds (~15 s at 1,000,000).
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS product_name_key_trgm_gist"
        " ON products_product USING gist (name_key gist_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS product_name_key_trgm_gist")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("products", "0011_category_history")]
    operations = [migrations.RunPython(create, drop, atomic=False)]
