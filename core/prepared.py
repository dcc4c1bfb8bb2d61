"""Querysets built and compiled once, then run with new values: the ORM's work without its cost per request.

A public page's queries have the same shape on every request; only a slug or an id changes. Building such
a queryset (filters, annotations, `select_related`) and compiling it to SQL cost more than running it on
PostgreSQL (a product page: ~9 ms of its ~16 ms of CPU, `scripts/profile_pages.py`). A `PreparedQuery`
does both once per database, `key` (for instance the day, which the validity annotations compare with)
and settings change, with placeholder values (`sentinels`) where the real ones go; each call then runs
the same SQL with the placeholders' parameters replaced by the call's values, and turns the rows into
model instances with Django's own `ModelIterable`, `select_related` and annotations included. Its
`prefetch_related` lookups are run on the result as a queryset would.

The SQL must not depend on the values themselves: a value that changes the statement (None, which
becomes IS NULL; a list, whose length changes the IN list) cannot be a placeholder. Building the template
checks that every placeholder reached the parameters, and builds it a second time with other placeholders,
which must land in the same places of the same SQL; the tests compare each prepared query's rows with the
plain queryset's.
"""

import copy
import datetime
import decimal
import hashlib
import logging
import threading
import uuid
import weakref

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, OperationalError, connections, router
from django.db.backends.signals import connection_created
from django.db.models import prefetch_related_objects

logger = logging.getLogger(__name__)

_ALREADY_PREPARED = "42P05"  # duplicate_prepared_statement
# invalid_sql_statement_name (the session lost it), feature_not_supported ("cached plan must not change
# result type", after a migration changed a column the statement reads)
_STATEMENT_GONE = ("26000", "0A000")

# PostgreSQL types of the statement's parameters, by their Python type (after Django prepared them).
_SERVER_TYPES = {
    bool: "boolean",
    int: "bigint",
    float: "double precision",
    decimal.Decimal: "numeric",
    datetime.datetime: "timestamptz",  # aware ones only (see _server_statement)
    datetime.date: "date",
    datetime.time: "time",
    uuid.UUID: "uuid",
    str: "text",
}


class _Query:
    """The queryset's query, compiling to the prepared compiler (whatever else the iterable reads of it,
    the names of a values() query's columns for one, comes from the query itself)."""

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


class _Run:
    """The little of a queryset that Django's iterables (`ModelIterable`, `ValuesIterable`, …) read,
    around a prepared compiler."""

    def __init__(self, template, compiler, db):
        self.model = template.model
        self.db = db
        self._known_related_objects = {}
        self._fields = template._fields
        self.query = _Query(template.query, compiler)


class _Template:
    def __init__(self, queryset, db, sentinels):
        self.queryset = queryset
        self.compiler = queryset.query.get_compiler(using=db)
        self.sql, params = self.compiler.as_sql()
        self.params = tuple(params)
        self.slots = {}  # position in params -> name of the value that goes there
        for position, param in enumerate(self.params):
            for name, sentinel in sentinels.items():
                if type(param) is type(sentinel) and param == sentinel:
                    self.slots[position] = name
        missing = set(sentinels) - set(self.slots.values())
        if missing:
            raise ValueError(f"placeholders not found in the query's parameters: {sorted(missing)}")
        self.server = _server_statement(self.sql, self.params)  # (name, PREPARE text) or None
        # What turns the columns' database values into Python ones: the same on every run of the statement.
        columns = [selected[0] for selected in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)
        self.composite = self.compiler.has_composite_fields(columns)

    def params_for(self, values):
        params = list(self.params)
        for position, name in self.slots.items():
            params[position] = values[name]
        return tuple(params)


def _other(sentinel):
    """Another placeholder of the same type (its case and its number changed)."""
    if isinstance(sentinel, str):
        return sentinel.swapcase() + "\x01"
    return sentinel - 1_000_003


class PreparedQuery:
    """`build(key, **sentinels)` returns the queryset; `prepared(**values)` its instances for the values.

    `key` (a callable, or None) names what else the statement is made of, such as `validity.today`: a new
    key value builds a new template. Sentinels are values no real call uses, of the type the real values
    have after Django prepares them (a str for a slug, an int for an id).
    """

    _all = weakref.WeakSet()  # every PreparedQuery, for forget_all

    def __init__(self, build, *, key=None, **sentinels):
        if len(set(map(repr, sentinels.values()))) != len(sentinels):
            raise ValueError("each placeholder needs a value of its own")
        self.build = build
        self.key = key
        self.sentinels = sentinels
        self._templates = {}
        self._lock = threading.Lock()
        PreparedQuery._all.add(self)

    def template(self, db):
        key_value = self.key() if self.key else None
        found = self._templates.get((db, key_value))
        if found is None:
            queryset = self.build(key_value, **self.sentinels)
            found = _Template(queryset, db, self.sentinels)
            # Built again with other placeholders: they must land in the same places of the same SQL (a
            # build that changed its values, lower-casing a slug say, would not pass real ones as given).
            others = {name: _other(value) for name, value in self.sentinels.items()}
            again = _Template(self.build(key_value, **others), db, others)
            if (again.sql, again.slots) != (found.sql, found.slots):
                raise ValueError("the statement changes with the placeholders' values, or the build changes them")
            with self._lock:
                if len(self._templates) > 16:  # yesterday's templates
                    self._templates.clear()
                self._templates[(db, key_value)] = found
        return found

    def __call__(self, **values):
        if set(values) != set(self.sentinels):
            raise TypeError(f"expected the values {sorted(self.sentinels)}, got {sorted(values)}")
        model = self.build_model()
        db = router.db_for_read(model)
        template = self.template(db)
        connection = connections[db]
        sql, params = template.sql, template.params_for(values)
        execute = _execute_statement(connection, template, params)
        try:
            results = self._run(template, connection, execute or sql, params)
        except DatabaseError as error:
            # The session lost its statements (a pooler, DISCARD) or a migration changed what the plan
            # returns: forget it here, answer with the plain statement (outside a transaction: nothing
            # was aborted), and the next call prepares it again.
            code = getattr(error.__cause__, "pgcode", None)
            if execute is None or code not in _STATEMENT_GONE:
                raise
            _forget_statement(connection, template.server[0], still_there=code != "26000")
            results = self._run(template, connection, sql, params)
        lookups = template.queryset._prefetch_related_lookups
        if lookups and results:
            prefetch_related_objects(results, *lookups)
        return results

    @staticmethod
    def _run(template, connection, sql, params):
        compiler = copy.copy(template.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = lambda expressions: template.converters
        compiler.has_composite_fields = lambda expressions: template.composite
        # Model instances, or a values() queryset's dicts: the queryset's own iterable makes them.
        return list(template.queryset._iterable_class(_Run(template.queryset, compiler, connection.alias)))

    def build_model(self):
        model = getattr(self, "_model", None)
        if model is None:
            model = self._model = self.build(self.key() if self.key else None, **self.sentinels).model
        return model

    def forget(self):
        with self._lock:
            self._templates.clear()


# --- PostgreSQL: the statement also prepared on the server ------------------------------------------
# Planning the product page's three statements took PostgreSQL ~2.7 ms, running them ~0.4 ms. Each
# connection (kept CONN_MAX_AGE seconds) PREPAREs a statement the first time it runs it; later runs are an
# EXECUTE of the plan PostgreSQL keeps (a generic plan after five runs, when it is no worse). A pooler in
# transaction mode (PgBouncer) cannot keep a session's statements: DJANGO_DB_PREPARED_STATEMENTS=0.


def _server_statement(sql, params):
    """(name, PREPARE statement) of `sql`, its %s placeholders numbered; None when a parameter's type is
    not one of _SERVER_TYPES (None, say, whose type PostgreSQL could not be told)."""
    types = []
    for param in params:
        kind = _SERVER_TYPES.get(type(param))
        if kind is None or (isinstance(param, datetime.datetime) and param.tzinfo is None):
            return None
        types.append(kind)
    pieces, number = [], 0
    for part in sql.split("%%"):
        numbered = part.split("%s")
        text = numbered[0]
        for rest in numbered[1:]:
            number += 1
            text += f"${number}{rest}"
        pieces.append(text)
    if number != len(params):
        return None
    body = "%".join(pieces)
    name = "ocop_" + hashlib.sha256(f"{types}{body}".encode()).hexdigest()[:24]
    arguments = f" ({', '.join(types)})" if types else ""
    return name, f"PREPARE {name}{arguments} AS {body}"


def _forget_statements(sender, connection, **kwargs):
    """A new connection holds no prepared statement."""
    connection.ocop_prepared = set()


connection_created.connect(_forget_statements, dispatch_uid="core.prepared.forget_statements")


def _execute_statement(connection, template, params):
    """The EXECUTE statement of `template` on `connection` (PREPAREd there first if need be), or None:
    on another database, with DB_PREPARED_STATEMENTS off, inside a transaction (a failed EXECUTE would
    abort it; public pages run in autocommit), with connections closed after each request
    (CONN_MAX_AGE=0), or when the statement could not be prepared."""
    if (
        template.server is None
        or not settings.DB_PREPARED_STATEMENTS
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.settings_dict.get("CONN_MAX_AGE")  # a connection per request: nothing to reuse
    ):
        return None
    name, prepare = template.server
    # The request's health check first: it may reconnect, and a new connection holds no statement.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    prepared = connection.__dict__.setdefault("ocop_prepared", set())
    if name not in prepared:
        try:
            with connection.cursor() as cursor:
                cursor.execute(prepare)
        except DatabaseError as error:
            if getattr(error.__cause__, "pgcode", None) != _ALREADY_PREPARED:
                if isinstance(error, OperationalError):
                    raise  # the connection failed: so would the plain statement
                logger.warning("Could not prepare %s: running it as plain SQL", name, exc_info=True)
                template.server = None
                return None
        prepared.add(name)
    return f"EXECUTE {name}" + (f"({', '.join(['%s'] * len(params))})" if params else "")


def _forget_statement(connection, name, still_there):
    """Drop `name` from what `connection` holds, and from the session when it is still there (its plan
    returns other columns now): the next call prepares it anew."""
    connection.__dict__.get("ocop_prepared", set()).discard(name)
    if still_there:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DEALLOCATE {name}")
        except DatabaseError:
            logger.warning("Could not deallocate %s", name, exc_info=True)


class PreparedByKeys:
    """`build(key, keys)` over a list of primary keys (`pk__in`), prepared once per length of the list.

    The IN list's length is part of the statement: each length gets its own PreparedQuery (a page of
    results has at most a page's length, so a few dozen at most), called with the keys as its values.
    """

    def __init__(self, build, *, key=None):
        self.build = build
        self.key = key
        self._by_length = {}

    def __call__(self, keys) -> list:
        keys = [int(key) for key in keys]
        if not keys:
            return []
        prepared = self._by_length.get(len(keys))
        if prepared is None:
            sentinels = {f"key{number}": -7_100_000_000 - number for number in range(len(keys))}
            prepared = PreparedQuery(
                lambda key_value, **keys: self.build(key_value, list(keys.values())), key=self.key, **sentinels
            )
            self._by_length[len(keys)] = prepared
        return prepared(**{f"key{number}": value for number, value in enumerate(keys)})


def forget_all(**kwargs):
    """Settings (a test's override, say) may change what the statements hold: build them again."""
    for prepared in PreparedQuery._all:
        prepared.forget()


setting_changed.connect(forget_all, dispatch_uid="core.prepared.forget_all")
