"""A product's derived copies: what they hold, and the one path that recomputes them.

`Product` stores values derived from itself, its producer, category and province and its certificate
entries, so that public pages never join the certificates to list, filter or search products:
`name_key` (the folded name, for an A–Z order), `search_text` (folded name, category, producer,
province and certificate titles) and the validity copies `ocop_until_<n>` and `<kind>_until` (the last
day on which an in-force entry covers the product; queries compare them with the day, so an expiry
takes effect on its day with no job to run).

The copies are pure functions of plain values (`rating_copy`, `search_text`, `name_key`,
`derived_values`), shared by `refresh_products` and the bulk synthetic data. Every write that can
change them (products, entries, certificates, producers, categories, provinces, revocations, imports)
reaches `refresh_products` through the receivers in certifications/signals.py.
"""

import contextlib
import datetime
from collections.abc import Iterable
from contextvars import ContextVar
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import QuerySet

from core import cache as catalogue_cache
from core import validity
from core.text import fold_vietnamese
from products.cache_scopes import scopes_of_loaded
from products.models import COPY_FIELDS, IP_KINDS, Product

from .models import CertifiedProduct

# Products recomputed per batch by refresh_products().
REFRESH_BATCH = 500


class Entry(NamedTuple):
    """What the copies read of one certificate entry (the order of ENTRY_FIELDS)."""

    kind: str
    stars: int | None = None
    valid_until: datetime.date | None = None
    revoked_on: datetime.date | None = None
    certificate_revoked_on: datetime.date | None = None
    title: str = ""
    former_province: str | None = None
    pk: int | None = None
    issued_on: datetime.date | None = None
    superseded_on: datetime.date | None = None
    superseded_by: int | None = None


ENTRY_FIELDS = (
    "kind",
    "stars",
    "certificate__valid_until",
    "revoked_on",
    "certificate__revoked_on",
    "certificate__title",
    "certificate__former_province__name",
    "pk",
    "certificate__issued_on",
    "superseded_on",
    "superseded_by_id",
)


# -- the copies, from plain values ----------------------------------------------------------------


def name_key(name: str) -> str:
    """The folded name: a Vietnamese A–Z order from an index (byte order puts "Đ" after "Z")."""
    return fold_vietnamese(name or "")[:255]


def search_text(texts: Iterable[str], entries: Iterable[Entry] = ()) -> str:
    """`texts` (the product's own, see product_texts) then each entry's title and former province, folded."""
    parts = list(texts)
    for entry in entries:
        parts += [entry.title, entry.former_province]
    return fold_vietnamese(" ".join(p for p in parts if p))


def supersessions(entries: Iterable[Entry]) -> list[tuple[datetime.date | None, int | None]]:
    """For each entry of ONE product, in order: (the day a later OCOP decision about the product was signed,
    that later entry's pk), or (None, None). A re-evaluation replaces the earlier rating from its signing
    day, whether it raised or lowered the stars, if the earlier one was still in force then (else it had
    simply expired); decisions of the same day, decisions whose date no source gives, and titles other
    than OCOP decisions replace none and are replaced by none."""
    entries = list(entries)
    dated = sorted(
        (
            (entry.issued_on, index)
            for index, entry in enumerate(entries)
            if entry.kind == validity.CertificateKind.OCOP and entry.issued_on is not None
        ),
    )
    result = [(None, None)] * len(entries)
    for position, (issued_on, index) in enumerate(dated):
        later = next((other for other in dated[position + 1 :] if other[0] > issued_on), None)
        ends = entries[index].valid_until
        # A decision that had already run out when the next one was signed simply expired.
        if later is not None and (ends is None or later[0] <= ends):
            result[index] = (later[0], entries[later[1]].pk)
    return result


def with_supersessions(entries: Iterable[Entry]) -> list[Entry]:
    """`entries` with superseded_on/superseded_by as supersessions() computes them."""
    entries = list(entries)
    return [
        entry._replace(superseded_on=on, superseded_by=by)
        for entry, (on, by) in zip(entries, supersessions(entries), strict=True)
    ]


def rating_copy(entries: Iterable[Entry]) -> dict[str, datetime.date | None]:
    """ocop_until_<n>: the last day an OCOP entry of at least n stars is in force (revoked, expired or
    superseded entries end earlier; a decision of unknown date gives no rating); <kind>_until: the last day
    an entry of that GI or mark kind is carried (datetime.date.max: no end; validity.UNKNOWN_TERM_END: carried,
    term unknown); None: never. `entries` carry their supersession (with_supersessions)."""
    copy = dict.fromkeys(COPY_FIELDS, None)
    for entry in entries:
        if entry.kind == validity.CertificateKind.OCOP and validity.term_unknown(entry.kind, entry.valid_until):
            continue
        end = validity.last_day_in_force(
            entry.valid_until,
            entry.revoked_on,
            entry.certificate_revoked_on,
            entry.superseded_on,
            kind=entry.kind,
        )
        if entry.kind == validity.CertificateKind.OCOP:
            keys = [f"ocop_until_{n}" for n in validity.STAR_LEVELS if entry.stars is not None and entry.stars >= n]
        else:
            keys = [f"{entry.kind}_until"] if entry.kind in IP_KINDS else []
        for key in keys:
            if copy[key] is None or end > copy[key]:
                copy[key] = end
    return copy


def derived_values(name: str, texts: Iterable[str], entries: Iterable[Entry] = ()) -> dict:
    """Every derived field of a product: {"search_text", "name_key", "ocop_until_3", …}."""
    entries = with_supersessions(entries)
    return {"search_text": search_text(texts, entries), "name_key": name_key(name), **rating_copy(entries)}


def product_texts(product) -> list[str]:
    """What a product folds into its search text before its certificates: name, category, producer,
    province (and the former province its producer names). Reads the instance's relations."""
    texts = [product.name, product.name_en]
    if product.category_id:
        texts += [product.category.name, product.category.name_en]
    if product.producer_id:
        producer = product.producer
        province = producer.province
        texts += [producer.name, province.name, province.name_en, province.aliases]
        if producer.former_province_id:
            texts.append(producer.former_province.name)
    return texts


# -- the one trigger -----------------------------------------------------------------------------


_deferred: ContextVar[set | None] = ContextVar("copies_deferred", default=None)


@contextlib.contextmanager
def deferred_refresh():
    """Within the block, collect the products to refresh and refresh each once at its end (load_demo writes
    hundreds of entries: one refresh per entry would recompute the same products again and again)."""
    ids = set()
    token = _deferred.set(ids)
    try:
        yield
    finally:
        _deferred.reset(token)
    if ids:
        refresh_products(Product.objects.filter(pk__in=ids), lock=False)


def refresh_products(products, *, lock: bool, batch_size: int | None = None) -> int:
    """Recompute the derived copies of `products`; returns how many products changed.

    `products` is a queryset (the rows are rewritten, only where a value changed) or a list of
    instances about to be saved (their attributes are set; their save writes them, so saving an
    instance loaded before its certificates changed never writes back a stale copy).

    `lock`: lock the rows first, in primary-key order so that two writers cannot deadlock. Two staff
    members adding entries to one product at the same moment would otherwise each compute the copy
    without the other's uncommitted entry, and the last to commit would lose the first's; with the
    lock the second waits, then reads the first's committed entry (READ COMMITTED).
    """
    if not isinstance(products, QuerySet):
        return _refresh_instances(list(products))
    pending = _deferred.get()
    if pending is not None:
        pending.update(products.values_list("pk", flat=True))
        return 0
    batch_size = batch_size or REFRESH_BATCH
    if not lock:
        return _refresh_rows(products, batch_size)
    with transaction.atomic():
        ids = list(products.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        return _refresh_rows(Product.objects.filter(pk__in=ids), batch_size)


def _entries_by_product(product_ids) -> dict[int, list[Entry]]:
    rows = {}
    in_chunk = CertifiedProduct.objects.filter(product_id__in=product_ids).order_by("product_id", "pk")
    for product_id, *row in in_chunk.values_list("product_id", *ENTRY_FIELDS):
        rows.setdefault(product_id, []).append(Entry(*row))
    return rows


def _write_supersessions(entries_by_product) -> None:
    """Store on each OCOP entry the later decision that replaced it (a copy, like the product's)."""
    for entries in entries_by_product.values():
        for original, entry in zip(entries, with_supersessions(entries), strict=True):
            if (original.superseded_on, original.superseded_by) != (entry.superseded_on, entry.superseded_by):
                CertifiedProduct.objects.filter(pk=entry.pk).update(
                    superseded_on=entry.superseded_on, superseded_by_id=entry.superseded_by
                )


def _refresh_instances(products) -> int:
    saved = [product.pk for product in products if product.pk]
    entries = _entries_by_product(saved) if saved else {}
    _write_supersessions(entries)
    changed = 0
    for product in products:
        values = derived_values(product.name, product_texts(product), entries.get(product.pk, []))
        changed += _assign(product, values)
    return changed


def _refresh_rows(products, batch_size) -> int:
    """In batches: two reads per `batch_size` products and one prepared UPDATE for those that changed,
    where saving one by one costs three queries a product (a category of 10,000 products renamed in
    the admin must finish well within the 30 s request timeout)."""
    ids = list(products.order_by("pk").values_list("pk", flat=True).distinct())
    changed_count = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        entries = _entries_by_product(chunk)
        _write_supersessions(entries)
        changed = []
        rows = Product.objects.filter(pk__in=chunk).select_related(
            "producer__province", "producer__former_province", "category"
        )
        for product in rows:
            values = derived_values(product.name, product_texts(product), entries.get(product.pk, []))
            if _assign(product, values):
                changed.append(product)
        if changed:
            write_fields(Product, changed, ["search_text", "name_key", *COPY_FIELDS])
            # Written without signals: their pages are told here.
            catalogue_cache.bump_on_commit(scopes_of_loaded(changed))
        changed_count += len(changed)
    return changed_count


def _assign(product, values) -> bool:
    """Set `values` on `product`; whether any differed."""
    if all(getattr(product, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(product, name, value)
    return True


def write_fields(model, objects, fields):
    """UPDATE `fields` of `objects` by primary key: one statement prepared once and run for each row.

    Django's bulk_update() builds a CASE of one branch per row and field, which costs seconds of
    Python per thousand rows; this writes the same values without signals or history, like update().
    """
    quote = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    # Identifiers come from the model and are quoted; every value is a parameter.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_value(getattr(obj, field.attname), connection) for field in model_fields] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
