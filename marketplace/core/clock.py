"""The one local calendar: every date a user sees or filters by is an Asia/Shanghai date.

Timestamps are stored in UTC; a local date range [first_day, last_day] (both inclusive)
becomes the half-open UTC interval [day_start_utc(first_day), day_start_utc(last_day + 1)).
"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: China's civil time (UTC+8, no daylight saving time since 1991).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def now_local() -> datetime:
    """The current time, timezone-aware, in the local zone."""
    return datetime.now(LOCAL_TZ)


def today_local() -> date:
    """Today's date in China."""
    return now_local().date()


def local_date(dt: datetime) -> date:
    """The local calendar date of an aware datetime."""
    return dt.astimezone(LOCAL_TZ).date()


def day_start_utc(day: date) -> datetime:
    """Local midnight at the start of ``day``, as an aware UTC datetime."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC)


def day_end_utc(day: date) -> datetime:
    """The exclusive end of ``day``: the next local midnight, as an aware UTC datetime."""
    return day_start_utc(day + timedelta(days=1))


def day_bounds_utc(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """(start, end_exclusive) in UTC of the inclusive local-date range ``first_day``..``last_day``."""
    return day_start_utc(first_day), day_end_utc(last_day)


def year_bounds_utc(year: int) -> tuple[datetime, datetime]:
    """(start, end_exclusive) in UTC of the local calendar year ``year``."""
    return day_bounds_utc(date(year, 1, 1), date(year, 12, 31))
