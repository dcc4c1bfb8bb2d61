"""Resources a test binds by number, made distinct per pytest-xdist process (`make test` runs two).

Each xdist worker has its own test database, but ports and Redis databases are the machine's: two workers
running servers of the same module at once would fight over one port, and a flushed Redis database would
lose the other worker's keys. Worker gwN gets the base port + 100 × N and a Redis database of its own.
"""

import os


def worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


def port(base: int) -> int:
    return base + 100 * worker_index()


def redis_db(base: int) -> int:
    """`base` for the first worker, then databases 8, 9, … (Redis has 16; 7 is shared, by key prefix)."""
    index = worker_index()
    return base if index == 0 else 7 + index
