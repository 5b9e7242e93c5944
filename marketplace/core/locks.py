"""The one way to row-lock: ``SELECT ... FOR UPDATE`` by primary key, in ascending key order.

Two transactions that lock the same rows lock them in the same order, so they cannot deadlock
(Saleor's ``order_by("pk")`` lesson). On PostgreSQL the rows stay locked until commit; SQLite
renders no ``FOR UPDATE`` (it already holds the database write lock from BEGIN IMMEDIATE), so the
helpers are safe there and only re-read the rows. The objects come back refreshed from the
database (``populate_existing``): what the caller reads after the lock is the committed state.

Stock is not taken with these locks: placement decrements it with conditional UPDATEs
(``orders/services/placing.py``), also in ascending id order.
"""
from sqlalchemy import inspect, select

from marketplace.extensions import db


def lock_rows(model, ids):
    """Lock the rows of ``model`` whose primary key is in ``ids`` (ascending); returns them in that order."""
    ids = sorted(set(ids))
    if not ids:
        return []
    pk = inspect(model).primary_key[0]
    stmt = (select(model).where(pk.in_(ids)).order_by(pk).with_for_update()
            .execution_options(populate_existing=True))
    return list(db.session.scalars(stmt))


def lock(obj):
    """Lock one loaded object's row and refresh it; returns the object (None stays None)."""
    if obj is None:
        return None
    key = inspect(obj).identity[0]
    lock_rows(type(obj), [key])
    return obj
