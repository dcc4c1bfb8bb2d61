"""One consistent view of the database for a block of reads."""

import contextlib

from django.db import connections, transaction


@contextlib.contextmanager
def snapshot():
    """One snapshot of the default database for the block: a REPEATABLE READ transaction on PostgreSQL
    (outside a transaction already open, such as a test's, which keeps its own). A process copy reads its
    fingerprint and its rows in one (core/process_copies.py), so that the one describes the other."""
    connection = connections["default"]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
