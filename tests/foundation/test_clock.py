"""core.clock: local (Asia/Shanghai) dates and their UTC bounds."""
from datetime import UTC, date, datetime

import time_machine

from marketplace.core.clock import day_bounds_utc, day_start_utc, local_date, today_local, year_bounds_utc


def test_local_date_and_today_are_shanghai_dates():
    assert local_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)
    with time_machine.travel(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), tick=False):
        assert today_local() == date(2027, 1, 1)


def test_day_and_year_bounds_are_local_midnights_in_utc():
    assert day_start_utc(date(2026, 3, 2)) == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert day_bounds_utc(date(2026, 3, 2), date(2026, 3, 3)) == (datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
                                                                   datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    assert year_bounds_utc(2026) == (datetime(2025, 12, 31, 16, 0, tzinfo=UTC),
                                     datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
