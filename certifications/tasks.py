"""Background work (django-tasks with its database backend, on the PostgreSQL already present): long
recomputations of the products' derived copies, so that no staff action outlives the worker timeout.

Renaming a category used by 100,000 products took ~52 s in the request. Past BACKGROUND_THRESHOLD
products, the rename's receiver (signals.py) enqueues `refresh_copies` instead, in the same transaction
as the rename; `manage.py db_worker` (started by scripts/serve.sh) runs it batch by batch and keeps its
progress in the shared cache, which the admin shows (ocop_catalogue/tasks_admin.py).
"""

import contextlib

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django_tasks import task

from products.models import Product

from .copies import refresh_products

BATCH = 2000
PROGRESS_SECONDS = 7 * 24 * 60 * 60
# What a product's copies follow, and how to find the products of one such row.
SOURCES = {
    "category": lambda pk: Q(category_id=pk),
    "producer": lambda pk: Q(producer_id=pk),
    "province": lambda pk: Q(producer__province_id=pk) | Q(producer__former_province_id=pk),
}


def background_threshold() -> int:
    return getattr(settings, "COPIES_BACKGROUND_THRESHOLD", 2000)


def products_of(source: str, pk: int):
    return Product.objects.filter(SOURCES[source](pk))


def refresh_now_or_later(source: str, pk: int) -> bool:
    """Refresh the copies of the products of (source, pk) now when they are few, else enqueue the job;
    True when it was enqueued."""
    products = products_of(source, pk)
    if products[: background_threshold() + 1].count() <= background_threshold():
        refresh_products(products, lock=False)
        return False
    refresh_copies.enqueue(source=source, pk=pk)
    return True


def progress_key(job_id) -> str:
    return f"job-progress:{job_id}"


def _note_progress(context, done, total):
    """Into the shared cache (the jobs' table has no column for it), for the admin; never fatal."""
    with contextlib.suppress(Exception):
        caches["catalogue"].set(progress_key(context.task_result.id), (done, total), PROGRESS_SECONDS)


@task(takes_context=True)
def refresh_copies(context, *, source: str, pk: int) -> int:
    """Recompute the copies of every product of (source, pk), in batches of BATCH; the number changed."""
    ids = list(products_of(source, pk).order_by("pk").values_list("pk", flat=True))
    changed = 0
    _note_progress(context, 0, len(ids))
    for start in range(0, len(ids), BATCH):
        changed += refresh_products(Product.objects.filter(pk__in=ids[start : start + BATCH]), lock=False)
        _note_progress(context, min(start + BATCH, len(ids)), len(ids))
    return changed
