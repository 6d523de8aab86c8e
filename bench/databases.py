"""Throwaway PostgreSQL databases for the benchmarks: created fresh, dropped afterwards.

A database is only created or dropped when its name contains one of the script's markers
("bench" by default), so a developer's database is never touched.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import unquote, urlsplit


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def conninfo(url: str, dbname: str | None = None) -> str:
    """A libpq connection string for ``url``, or for another database on the same server."""
    from psycopg.conninfo import make_conninfo

    parts = urlsplit(url)
    return make_conninfo(
        host=parts.hostname or "",
        port=parts.port or 5432,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        dbname=dbname or database_name(url),
    )


def bench_url(url: str, marker: str = "bench") -> str:
    """The benchmark's own database next to ``url``'s: its name gets "_bench" unless it has it
    (``clinic_x`` -> ``clinic_x_bench``), so that a developer's database is never the one dropped."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/")) or "clinic"
    return parts._replace(path="/" + (name if marker in name else f"{name}_{marker}")).geturl()


def checked_name(url: str, markers: tuple[str, ...] = ("bench",)) -> str:
    """The database name of ``url``; exits unless it is PostgreSQL and the name has a marker."""
    if not urlsplit(url).scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL must be a PostgreSQL URL (postgres://...), not {urlsplit(url).scheme!r}.")
    name = database_name(url)
    if not any(marker in name for marker in markers):
        wanted = " or ".join(repr(marker) for marker in markers)
        raise SystemExit(f"Refusing to create and drop PostgreSQL database {name!r}: its name must contain {wanted}.")
    return name


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(conninfo(url, "postgres"), autocommit=True)


def recreate_database(url: str, markers: tuple[str, ...] = ("bench",)) -> str:
    """Drop and create the database of ``url``; returns its name."""
    from psycopg import sql

    name = checked_name(url, markers)
    with _admin(url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(url: str, markers: tuple[str, ...] = ("bench",)) -> None:
    """Drop the database of ``url``, after closing this process's Django connections to it."""
    from psycopg import sql

    name = checked_name(url, markers)
    with contextlib.suppress(Exception):  # Django may never have been set up
        from django.db import connections

        connections.close_all()
    with _admin(url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def engine_name() -> str:
    """The database engine Django is connected to, with its version ("PostgreSQL 16.4", "SQLite 3.45.1")."""
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3  # what Django's SQLite backend runs on

    return f"SQLite {sqlite3.sqlite_version}"
