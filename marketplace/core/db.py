"""Declarative base, column aliases and engine set-up shared by every domain."""
from datetime import UTC
from enum import Enum
from typing import Annotated

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

from marketplace.core.clock import now_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both engines (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UtcDateTime column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
#: Money: integer fen, never a float.
Fen = Annotated[int, mapped_column(BigInteger)]
#: Shares: integer basis points (10000 = 100%).
BasisPoints = Annotated[int, mapped_column(Integer)]


def enum_values(enum_or_values) -> tuple[str, ...]:
    """The plain string values of a ``StrEnum`` (in definition order) or of an iterable of strings."""
    return tuple(v.value if isinstance(v, Enum) else str(v) for v in enum_or_values)


def check_one_of(column_name, enum_or_values, *, name=None, nullable=False) -> CheckConstraint:
    """The one way to write "``column_name`` must be one of these values" as a CHECK constraint.

    Renders ``col IN ('a','b')`` (``col IS NULL OR col IN (...)`` when ``nullable``). ``name``
    defaults to ``<column>_known``; the naming convention makes it ``ck_<table>_<name>``.
    """
    values = enum_values(enum_or_values)
    if not values or any("'" in v for v in values):
        raise ValueError(f"check_one_of({column_name!r}) needs quote-free values, got {values!r}")
    sql = f"{column_name} IN ('" + "','".join(values) + "')"
    if nullable:
        sql = f"{column_name} IS NULL OR {sql}"
    return CheckConstraint(sql, name=name or f"{column_name}_known")


#: The current UTC time (the clock module's ``now_utc``; kept under this name for the models).
utcnow = now_utc


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and foreign keys on every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy's "begin" hook own transactions (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    """SQLite: take the write lock at BEGIN, so two transactions never deadlock upgrading
    a read lock (the driver's deferred BEGIN would answer "database is locked")."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(bind) -> bool:
    return bind.dialect.name == "postgresql"


def bigint_pk():
    """Big-integer primary key that still autoincrements on SQLite."""
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
