"""SQL that only PostgreSQL runs, for migrations that add the database's own guards (append-only
triggers and the like). SQLite skips the statements; the services keep the same rules on both."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import migrations


def _statements_on_postgresql(statements: Sequence[str]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


def postgresql_only(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """One migration operation: ``forward`` on the way up, ``backward`` on the way down."""
    return migrations.RunPython(_statements_on_postgresql(forward), _statements_on_postgresql(backward))
