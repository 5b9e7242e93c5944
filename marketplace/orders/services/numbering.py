"""Order numbers: PO-YYYY-NNNNNN from a per-year counter row."""
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.orders.models import OrderNumberCounter


def _increment(year):
    stmt = (update(OrderNumberCounter).where(OrderNumberCounter.year == year)
            .values(last_value=OrderNumberCounter.last_value + 1)
            .returning(OrderNumberCounter.last_value)
            .execution_options(synchronize_session=False))
    return db.session.execute(stmt).scalar()


def next_order_number(year):
    """The next number of ``year`` (the Asia/Shanghai year of placement).

    The conditional UPDATE ... RETURNING row-locks the counter until commit (PostgreSQL;
    SQLite holds its write lock from BEGIN IMMEDIATE), so two orders never share a
    number. The first order of a year inserts the row in a savepoint; a concurrent
    first order loses on the primary key and increments the winner's row instead.
    Placement takes this lock last, so it is held only for the end of the request.
    """
    value = _increment(year)
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(OrderNumberCounter(year=year, last_value=1))
                db.session.flush()
            value = 1
        except IntegrityError:
            value = _increment(year)
    return f"PO-{year}-{value:06d}"
