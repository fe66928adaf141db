"""Lookups whose SQL the ORM builds once, then runs with a new value on every request.

Every signed-in request reads its account: the session's user with their learner profile, or
an API token with both. Building such a query's SQL (Django's compiler: joins, selected
columns, converters) costs several times what running it costs (bench/auth_lookup.py). Django
keeps no compiled queries, and the ORM caches (django-cachalot, django-cacheops) cache results,
compiling each query to find its key, so this keeps the compiled SQL per database connection
and builds the instances with Django's own machinery, as ``ModelIterable`` does: the objects
are the ones the ORM would return, ``select_related`` parts included.

Only for lookups by one value that find at most one row (a primary or unique key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

ModelT = TypeVar("ModelT", bound=Model)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    value_index: int
    compiler: Any  # django.db.models.sql.compiler.SQLCompiler, bound to its connection
    converters: dict
    model_fields: slice
    init_list: list[str]
    related_populators: list


class PreparedLookup(Generic[ModelT]):
    """``build(value)`` returns the queryset for one value; ``marker`` is a value of the right
    type that appears nowhere else in its SQL parameters (it shows where the value goes)."""

    def __init__(self, build: Callable[[Any], QuerySet[ModelT]], *, marker: Any) -> None:
        self._build = build
        self._marker = marker
        # Per connection: each thread has its own, and the SQL is the vendor's.
        self._compiled: WeakKeyDictionary[Any, _Compiled] = WeakKeyDictionary()

    def get(self, value: Any, *, using: str = DEFAULT_DB_ALIAS) -> ModelT | None:
        """The object for ``value``, or None. The value reaches the database as given: convert
        it first where the ORM would (a session keeps a user's id as text: ``to_python``)."""
        connection = connections[using]
        compiled = self._compiled.get(connection) or self._compile(connection, using)
        params = list(compiled.params)
        params[compiled.value_index] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
        model = compiled.compiler.klass_info["model"]
        obj = model.from_db(using, compiled.init_list, row[compiled.model_fields])
        for populator in compiled.related_populators:
            populator.populate(row, obj)
        return obj

    def _compile(self, connection, using: str) -> _Compiled:
        queryset = self._build(self._marker).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = [i for i, param in enumerate(params) if param == self._marker]
        if len(positions) != 1:
            raise ValueError(f"The marker {self._marker!r} must be one parameter of {sql!r}.")
        select, klass_info = compiler.select, compiler.klass_info
        if compiler.annotation_col_map or queryset._known_related_objects:
            raise ValueError("Annotations and known related objects are not supported.")
        fields = klass_info["select_fields"]
        model_fields = slice(fields[0], fields[-1] + 1)
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            value_index=positions[0],
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]),
            model_fields=model_fields,
            init_list=[column[0].target.attname for column in select[model_fields]],
            related_populators=get_related_populators(klass_info, select, using),
        )
        self._compiled[connection] = compiled
        return compiled
