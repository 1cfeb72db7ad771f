"""Querysets compiled to SQL once per process and then run with new values: the public pages' hot queries.

Building a queryset and compiling it to SQL costs Django several times what PostgreSQL needs to run it on
an index: an uncached article page spent about 10 ms of Python per request just turning the same six
querysets into the same six SQL strings. A `PreparedQuery` wraps a function that builds the queryset from
named values, e.g.

    STORY = PreparedQuery(lambda pk, now: Article.objects.published(at=now).filter(pk=pk))
    STORY(pk=42, now=timezone.now())          # a QuerySet: iterate it, list() it, test it

The first call for a database and a *shape* of values (their types, and the length of each list) builds
the queryset with stand-in values, compiles it and remembers the SQL and where each value goes among its
parameters; later calls only put the values in and run that SQL. Rows become model instances exactly as
the built queryset would make them (select_related, annotations, deferred fields, custom iterables), and
the result is an ordinary QuerySet: refining it (`.filter()`, `.count()`, using it in a subquery) builds
the real queryset from the same values, so it can never answer with the wrong SQL.

The build function must take every varying value as an argument (no `timezone.now()` or `get_language()`
inside: pass them). Preparing checks this: it compiles twice with different stand-ins and refuses a
queryset whose parameters change in a place no argument explains, or whose SQL depends on the values.
Values may be ints, strings, aware datetimes and lists of those. Prefetches declared on the queryset run
as Django runs them (compiled every time); the hot pages fetch related rows with prepared queries instead.
"""

import copy
import itertools
from datetime import UTC, datetime, timedelta

from django.db import connections, router
from django.db.models.sql.query import Query

# Stand-in values: far outside anything the site stores, and different in each of the two compilations.
_INT_BASE = -(10**15)
_TIME_BASE = datetime(1901, 2, 3, tzinfo=UTC)
_stand_in_numbers = itertools.count(1)


def _kind(value):
    if isinstance(value, bool):
        raise TypeError("a prepared query's value cannot be a bool (it would be taken for an int)")
    for kind in (int, str, datetime):
        if isinstance(value, kind):
            return kind
    raise TypeError(f"a prepared query's value must be an int, a str or a datetime, not {type(value).__name__}")


def _shape(values):
    """What decides the SQL besides the build function: each value's type, and each list's length and types."""
    shape = []
    for name in sorted(values):
        value = values[name]
        if isinstance(value, list | tuple):
            shape.append((name, tuple(_kind(item) for item in value)))
        else:
            shape.append((name, _kind(value)))
    return tuple(shape)


def _stand_in(kind):
    number = next(_stand_in_numbers)
    if kind is int:
        return _INT_BASE - number
    if kind is str:
        return f"\x1fprepared-{number}\x1f"
    return _TIME_BASE + timedelta(microseconds=number)


def _stand_ins(shape):
    values, places = {}, {}
    for name, kind in shape:
        if isinstance(kind, tuple):
            values[name] = [_stand_in(item) for item in kind]
            places.update({(name, index): item for index, item in enumerate(kind)})
        else:
            values[name] = _stand_in(kind)
            places[(name, None)] = kind
    return values, places


def _adapt(value, kind, connection):
    """A value as the compiled query's parameters hold it (what a DateTimeField's get_db_prep_value gives)."""
    return connection.ops.adapt_datetimefield_value(value) if kind is datetime else value


def padded(ids, step):
    """`ids` with its last id repeated up to a multiple of `step`: the same set for `IN`, `= ANY` or EXISTS,
    so lists of many lengths share a few compiled queries. An empty list stays empty."""
    ids = list(ids)
    return ids + ids[-1:] * (-len(ids) % step)


class _Compiled:
    """One build function compiled for one database and one shape: SQL, parameter slots and the compiler."""

    def __init__(self, build, alias, shape):
        connection = connections[alias]
        first, first_places = _stand_ins(shape)
        second, _ = _stand_ins(shape)
        self.template = build(**first)
        if self.template._known_related_objects:
            raise ValueError("a prepared query cannot come from a related manager that remembers its instance")
        self.compiler = self.template.query.get_compiler(using=alias)
        self.sql, params = self.compiler.as_sql()
        other_sql, other_params = build(**second).query.get_compiler(using=alias).as_sql()
        if other_sql != self.sql or len(other_params) != len(params):
            raise ValueError("the SQL of a prepared query must not depend on its values, only on their shape")
        where = {}
        for (name, index), kind in first_places.items():
            value = first[name] if index is None else first[name][index]
            where[_adapt(value, kind, connection)] = (name, index, kind)
        self.slots, found = [], set()
        for param, other in zip(params, other_params, strict=True):
            slot = where.get(param) if isinstance(param, int | str | datetime) else None
            if slot is not None:
                found.add(slot[:2])
                self.slots.append(slot)
            elif param == other:
                self.slots.append((None, param, None))
            else:
                raise ValueError("a prepared query's build function used a value it was not given (pass it in)")
        missing = set(first_places) - found
        if missing:
            raise ValueError(f"prepared query values not found among its parameters: {sorted(missing)}")
        self._converters = {}

    def converters(self, expressions):
        """`compiler.get_converters(expressions)`, found once: like the SQL they depend only on the selected
        columns and the database's backend (for the article page's story, some 80 columns, they took a tenth
        of a millisecond to find on every run)."""
        # Keyed by the columns' identities, and the columns are kept with their converters, so no other
        # object can take one of their ids. Rows are read with the compiled query's own select columns.
        key = tuple(map(id, expressions))
        found = self._converters.get(key)
        if found is None:
            found = (list(expressions), self.compiler.get_converters(expressions))
            if len(self._converters) < 8:
                self._converters[key] = found
        return found[1]

    def params(self, values, connection):
        params = []
        for name, index, kind in self.slots:
            if name is None:
                params.append(index)  # a constant: (None, value, None)
                continue
            value = values[name] if index is None else values[name][index]
            params.append(_adapt(value, kind, connection))
        return params


class _BoundQuery(Query):
    """A compiled query with its values: its compiler answers the stored SQL; any copy is the built query."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        connection = connection or connections[using]
        if connection.alias != self.prepared_alias:
            return self.prepared_rebuild().query.get_compiler(connection=connection, elide_empty=elide_empty)
        compiler = copy.copy(self.prepared.compiler)
        compiler.connection = connection
        sql, params = self.prepared.sql, self.prepared.params(self.prepared_values, connection)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = self.prepared.converters
        return compiler

    def prepared_rebuild(self):
        return self.prepared_build(**self.prepared_values)

    # Refining, counting or nesting the queryset copies its query first: that copy is the real one.
    def clone(self):
        return self.prepared_rebuild().query.clone()

    def chain(self, klass=None):
        return self.prepared_rebuild().query.chain(klass)


class PreparedQuery:
    """A queryset built by `build(**values)`, compiled once per database and shape of values (see the module)."""

    def __init__(self, build, shapes=None):
        """`shapes`: at most this many shapes are prepared, later ones build their queryset on every call (a
        bound on the memory held when readers choose the values, and so the shapes: a search's filters)."""
        self.build = build
        self.shapes = shapes
        self._compiled = {}
        self._probes = {}  # per shape: a queryset built with stand-ins, to learn its model and database hints

    def __call__(self, **values):
        """The queryset `build(**values)` would return, run with SQL compiled earlier (not yet evaluated)."""
        shape = _shape(values)
        probe = self._probes.get(shape)
        if probe is None:
            if self.shapes is not None and len(self._probes) >= self.shapes:
                return self.build(**values)
            probe = self._probes[shape] = self.build(**_stand_ins(shape)[0])
        alias = probe._db or router.db_for_read(probe.model, **probe._hints)
        compiled = self._compiled.get((alias, shape))
        if compiled is None:
            compiled = self._compiled[(alias, shape)] = _Compiled(self.build, alias, shape)
        template = compiled.template
        query = _BoundQuery.__new__(_BoundQuery)
        query.__dict__ = template.query.__dict__.copy()
        query.prepared, query.prepared_alias = compiled, alias
        query.prepared_build, query.prepared_values = self.build, values
        queryset = template.__class__(model=template.model, query=query, using=template._db, hints=template._hints)
        queryset._iterable_class = template._iterable_class
        queryset._fields = template._fields
        queryset._prefetch_related_lookups = template._prefetch_related_lookups
        return queryset

    def count(self, **values):
        """How many rows `build(**values)` holds (within its slice), counted by the database with the stored SQL."""
        queryset = self(**values)
        if not isinstance(queryset.query, _BoundQuery):  # a shape past the bound: built, not prepared
            return queryset.count()
        query = queryset.query
        connection = connections[query.prepared_alias]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({query.prepared.sql}) counted", query.prepared.params(values, connection)
            )
            return cursor.fetchone()[0]
