"""Everything that differs between SpatiaLite and PostGIS lives in this one module.

The rest of the code builds queries with the functions below (``distance_m``, ``within_m``,
``nearest_first``, ``point``) and never asks which database it is on.
"""

from __future__ import annotations

import importlib
import os

from geoalchemy2 import Geometry, WKTElement
from sqlalchemy import Float, event, literal
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

SRID = 4326


class SpatialiteUnavailable(RuntimeError):
    """SQLite cannot load mod_spatialite on this machine."""


def _sqlite_module():
    """A DB-API sqlite module that can load extensions (pyenv builds of Python cannot)."""
    try:
        return importlib.import_module("pysqlite3.dbapi2")
    except ImportError:
        import sqlite3

        if not hasattr(sqlite3.Connection, "enable_load_extension"):
            raise SpatialiteUnavailable(
                "This Python's sqlite3 cannot load extensions; install pysqlite3-binary"
            ) from None
        return sqlite3


def engine_options(url: str) -> dict:
    """Extra create_engine() arguments for the database named by url."""
    if url.startswith("sqlite"):
        return {"module": _sqlite_module(), "connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def configure_engine(engine: Engine) -> None:
    """Attach the per-connection setup a dialect needs (SpatiaLite loading, pragmas)."""
    if engine.dialect.name != "sqlite":
        return
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy issue BEGIN itself so SAVEPOINTs and rollbacks work as documented.
        dbapi_conn.isolation_level = None
        try:
            dbapi_conn.enable_load_extension(True)
            dbapi_conn.load_extension(os.environ["SPATIALITE_LIBRARY_PATH"])
            dbapi_conn.enable_load_extension(False)
        except Exception as exc:  # the message of the driver is cryptic
            raise SpatialiteUnavailable(
                "Cannot load mod_spatialite: install the Debian/Ubuntu package "
                "libsqlite3-mod-spatialite (macOS: brew install libspatialite)"
            ) from exc
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 30000")
        if cur.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
            cur.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
        if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() not in ("wal", "memory"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A transaction that reads and later writes fails on SQLite if another writer committed
        # in between; taking the write lock up front (IMMEDIATE) makes concurrent writers wait
        # (busy_timeout) instead. Reads (GET) stay unlocked so they never queue behind writers.
        conn.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def _read_only_request() -> bool:
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")


def point(latitude: float, longitude: float) -> WKTElement:
    """A WGS84 point value for a Geometry column (note: x = longitude)."""
    return WKTElement(f"POINT({float(longitude)!r} {float(latitude)!r})", srid=SRID)


def point_expr(latitude: float, longitude: float):
    """A WGS84 point as a typed SQL expression, for use inside spatial functions."""
    return literal(point(latitude, longitude), Geometry("POINT", srid=SRID))


class distance_m(GenericFunction):
    """Distance in metres between two WGS84 geometries, on the spheroid."""

    type = Float()
    inherit_cache = True


@compiles(distance_m, "postgresql")
def _distance_m_pg(element, compiler, **kw):
    a, b = list(element.clauses)
    return (
        f"ST_Distance(CAST({compiler.process(a, **kw)} AS geography), "
        f"CAST({compiler.process(b, **kw)} AS geography))"
    )


@compiles(distance_m, "sqlite")
def _distance_m_sqlite(element, compiler, **kw):
    a, b = list(element.clauses)
    return f"ST_Distance({compiler.process(a, **kw)}, {compiler.process(b, **kw)}, 1)"


class within_m(GenericFunction):
    """True when two WGS84 geometries are at most N metres apart (index-assisted on PostGIS)."""

    inherit_cache = True


@compiles(within_m, "postgresql")
def _within_m_pg(element, compiler, **kw):
    a, b, m = (compiler.process(c, **kw) for c in element.clauses)
    return f"ST_DWithin(CAST({a} AS geography), CAST({b} AS geography), {m})"


@compiles(within_m, "sqlite")
def _within_m_sqlite(element, compiler, **kw):
    a, b, m = (compiler.process(c, **kw) for c in element.clauses)
    return f"(ST_Distance({a}, {b}, 1) <= {m})"


class nearest_first(GenericFunction):
    """An ORDER BY key that sorts geometries by distance to a point (KNN on PostGIS)."""

    type = Float()
    inherit_cache = True


@compiles(nearest_first, "postgresql")
def _nearest_pg(element, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({a} AS geography) <-> CAST({b} AS geography))"


@compiles(nearest_first, "sqlite")
def _nearest_sqlite(element, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"ST_Distance({a}, {b}, 1)"


def is_postgres(bind) -> bool:
    """For migrations and admin tasks only (extensions, triggers, expression indexes)."""
    return bind.dialect.name == "postgresql"
