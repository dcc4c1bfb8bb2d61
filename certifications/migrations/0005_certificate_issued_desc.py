"""On PostgreSQL, an index on the certificates' dates in the home page's order (newest first, undated
last): its recent entries are read certificate by certificate from it and stop after the first few
(an incremental sort), instead of sorting every entry of the newest certificates.

PostgreSQL puts NULL first in a descending index unless told otherwise, and SQLite's CREATE INDEX has no
NULLS LAST; this step runs only on PostgreSQL (SQLite's catalogues are small). Built CONCURRENTLY: staff keep
saving certificates while it builds.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS certificate_issued_desc"
        " ON certifications_certificate (issued_on DESC NULLS LAST)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS certificate_issued_desc")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("certifications", "0004_entries_protected_staff_permissions")]
    operations = [migrations.RunPython(create, drop, atomic=False)]
