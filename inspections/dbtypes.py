"""Column types that behave the same on SQLite and PostgreSQL, and what migrations compare."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always returns an aware datetime (SQLite would return a naive one)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# SpatiaLite's own bookkeeping tables, which are not part of our schema.
_SPATIALITE_TABLES = (
    "spatial_ref_sys",
    "geometry_columns",
    "views_geometry",
    "virts_geometry",
    "spatialite_history",
    "sql_statements_log",
    "SpatialIndex",
    "ElementaryGeometries",
    "KNN",
    "data_licenses",
    "idx_",
    "spatial_",
    "geom_cols_ref_sys",
    "vector_layers",
)


def include_in_migrations(obj, name, obj_type, reflected, compare_to) -> bool:
    """Alembic filter: ignore SpatiaLite's tables and hand-made PostGIS-only indexes (_pgx)."""
    from geoalchemy2 import alembic_helpers

    if (
        obj_type == "table"
        and reflected
        and compare_to is None
        and name.startswith(_SPATIALITE_TABLES)
    ):
        return False
    if obj_type == "index" and name and name.endswith("_pgx"):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)
