"""A hot query's SQL compiled once per database and shape, then run with fresh parameters.

Building and compiling a QuerySet costs about a millisecond of Python each time (cloning,
resolving the annotations, writing the SQL), as much as a small query's own execution. For a
query sent on every availability search, ``CompiledQuery`` compiles it once with sentinel values,
finds where each sentinel landed among the parameters, and afterwards only puts the real values,
adapted by the same model fields, in their places. Rows come back as the database driver gives
them: the query must select values that need no Django converter (plain numbers, text, and the
like), as ``values_list`` would return them.

A sentinel that does not land exactly once among the parameters (the shape of the SQL did not
allow telling it apart) leaves that shape uncached: the QuerySet is then built and run each time.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet

Slots = dict[str, int]


class CompiledQuery:
    """``build(**values)`` gives the QuerySet; ``sentinels`` names, for each value, a stand-in no
    real parameter could equal and the field whose lookup the value goes through."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], sentinels: dict[str, tuple[Any, Field]]) -> None:
        self._build = build
        self._sentinels = sentinels
        self._compiled: dict[tuple[Any, ...], tuple[str, list[Any], Slots] | None] = {}
        self._lock = Lock()

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        present = tuple(sorted(name for name, value in values.items() if value is not None))
        key = (connection.alias, connection.settings_dict["NAME"], present)
        if key not in self._compiled:
            compiled = self._compile(present)
            with self._lock:
                self._compiled[key] = compiled
        compiled = self._compiled[key]
        if compiled is None:
            return list(self._build(**values))
        sql, template, slots = compiled
        params = list(template)
        for name, index in slots.items():
            params[index] = self._adapt(name, values[name])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _adapt(self, name: str, value: Any) -> Any:
        field = self._sentinels[name][1]
        return field.get_db_prep_value(value, connection, prepared=False)

    def _compile(self, present: tuple[str, ...]) -> tuple[str, list[Any], Slots] | None:
        stand_ins = {name: self._sentinels[name][0] for name in present}
        absent = {name: None for name in self._sentinels if name not in present}
        sql, compiled_params = self._build(**stand_ins, **absent).query.sql_with_params()
        params = list(compiled_params)
        slots: Slots = {}
        for name, stand_in in stand_ins.items():
            adapted = self._adapt(name, stand_in)
            places = [index for index, param in enumerate(params) if param == adapted]
            if len(places) != 1:
                return None
            slots[name] = places[0]
        return sql, params, slots
