"""Pieces shared by the report queries: periods, region prefixes, integer maths in SQL."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import BigInteger, case, func
from sqlalchemy.sql.expression import cast

from marketplace.core.clock import day_end_utc, day_start_utc
from marketplace.geography.codes import LENGTH_BY_LEVEL

#: Order payment states that count as paid sales (refunds are subtracted as refunded_fen).
PAID_STATUSES = ("paid", "partially_refunded", "refunded")
#: region level → code length (the sales report groups by these keys)
REGION_LENGTHS = LENGTH_BY_LEVEL


@dataclass(frozen=True)
class Period:
    """Local (Asia/Shanghai) dates, both inclusive."""

    start: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return day_start_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return day_end_utc(self.end)

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
