"""Pieces shared by the report queries: periods, region prefixes, integer maths in SQL."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import BigInteger, case, func
from sqlalchemy.sql.expression import cast

#: Asia/Shanghai: a fixed UTC+8 offset (no DST since 1991).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
#: Order payment states that count as paid sales (refunds are subtracted as refunded_fen).
PAID_STATUSES = ("paid", "partially_refunded", "refunded")
REGION_LENGTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


@dataclass(frozen=True)
class Period:
    """Local (Asia/Shanghai) dates, both inclusive."""

    start: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time(0), SHANGHAI).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time(0), SHANGHAI).astimezone(UTC)

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


def in_period(column, period: Period):
    return (column >= period.start_utc) & (column < period.end_utc)


def under_prefix(column, prefix: str):
    """``column`` lies under the region code ``prefix`` ('' = everywhere)."""
    if not prefix:
        return True
    return func.substr(column, 1, len(prefix)) == prefix


def region_key(column, length: int):
    """The code of the ``length``-digit ancestor of ``column``; NULL when the code is shorter."""
    return case((func.length(column) >= length, func.substr(column, 1, length)), else_=None)


def as_int(expr):
    """SUM(bigint) is numeric on PostgreSQL; cast back so Python gets an int."""
    return cast(expr, BigInteger)


def total(expr):
    """COALESCE(SUM(expr), 0) as a bigint."""
    return as_int(func.coalesce(func.sum(expr), 0))


def local_now() -> datetime:
    return datetime.now(SHANGHAI)
