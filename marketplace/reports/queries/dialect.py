"""The one place where PostgreSQL and SQLite SQL differ: local-time buckets.

Asia/Shanghai has had no daylight saving time since 1991, so on SQLite the local
time is simply UTC + 8 hours. Timestamps are stored in UTC on both engines
(``core.db.UtcDateTime``: timestamptz on PostgreSQL, naive UTC text on SQLite).
"""
from sqlalchemy import String, func, literal_column
from sqlalchemy.sql.expression import cast

from marketplace.core.clock import LOCAL_TZ

TIME_ZONE = LOCAL_TZ.key
SQLITE_OFFSET = "+8 hours"
TIME_UNITS = ("day", "week", "month")


def local_bucket(column, unit, dialect_name):
    """A text label of ``column``'s Asia/Shanghai day (YYYY-MM-DD), week (its Monday) or month (YYYY-MM)."""
    if unit not in TIME_UNITS:
        raise ValueError(f"unknown time unit {unit}")
    if dialect_name == "postgresql":
        local = column.op("AT TIME ZONE")(literal_column(f"'{TIME_ZONE}'"))
        pattern = "YYYY-MM" if unit == "month" else "YYYY-MM-DD"
        return func.to_char(func.date_trunc(unit, local), pattern)
    if unit == "day":
        return cast(func.date(column, SQLITE_OFFSET), String)
    if unit == "week":
        # 'weekday 0' moves forward to Sunday (or stays); six days back is that week's Monday.
        return cast(func.date(column, SQLITE_OFFSET, "weekday 0", "-6 days"), String)
    return cast(func.strftime("%Y-%m", column, SQLITE_OFFSET), String)


def supports_grouping_sets(dialect_name):
    """PostgreSQL computes the grand total in the same pass (GROUPING SETS); SQLite needs a second aggregate."""
    return dialect_name == "postgresql"
