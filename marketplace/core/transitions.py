"""The one way a status changes: a conditional UPDATE from the states the table allows.

Every stateful domain keeps its table in the same shape (its ``states.py``)::

    TRANSITIONS = {action: (states it may start from, state it leads to)}

``transition(obj, TRANSITIONS, action)`` runs ``UPDATE t SET status = :to, ... WHERE id = :id
AND status IN (:from...)`` and checks the rowcount, so of two racing requests exactly one
wins (the UPDATE row-locks on PostgreSQL; SQLite holds its write lock from BEGIN IMMEDIATE)
and the other gets ``InvalidTransition`` (409 with ``current_state``, read after the miss).
Finding the row (404) stays the caller's job.
"""
import re
from dataclasses import dataclass

from sqlalchemy import inspect, select, update

from marketplace.core.errors import InvalidTransition
from marketplace.extensions import db


@dataclass(frozen=True)
class Change:
    """What a successful transition did: the state before (as loaded) and after."""

    before: str
    after: str


def entity_name(obj_or_cls) -> str:
    """``Order`` → "order", ``AttributionScheme`` → "attribution_scheme" (errors and audit events)."""
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def target_state(table, action, current):
    """The state ``action`` leads to from ``current``, or None when the table forbids it."""
    sources, target = table[action]
    return target if current in sources else None


def current_state(model, obj_id, column="status"):
    """The committed-or-own state of one row, read from the database (not the identity map)."""
    return db.session.scalar(select(getattr(model, column)).where(inspect(model).primary_key[0] == obj_id))


def transition(obj, table, action, *, values=None, where=(), column="status", verb=None, strict=True):
    """Move ``obj`` along ``table[action]`` with one conditional UPDATE; returns a ``Change``.

    ``values`` are further columns to set in the same UPDATE; ``where`` further conditions
    (a miss on them is a 409 too). On success the changed attributes are expired, so the
    object reads the new row. ``column`` names the state column (default ``status``);
    ``verb`` words the action in the 409's detail (default: the action). ``strict=False``
    returns None instead of raising (an optional follow-up transition, e.g. completing an order).
    """
    sources, target = table[action]
    model = type(obj)
    pk = inspect(model).primary_key[0]
    obj_id = getattr(obj, pk.key)
    before = getattr(obj, column)
    state = getattr(model, column)
    result = db.session.execute(update(model).where(pk == obj_id, state.in_(sources), *where)
                                .values({column: target, **(values or {})})
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        if not strict:
            return None
        raise InvalidTransition(entity_name(model), current_state(model, obj_id, column), verb or action)
    db.session.expire(obj, [column, *(values or {})])
    # One source: that was the state. Several: the state as loaded (the UPDATE cannot return the old one).
    return Change(before=sources[0] if len(sources) == 1 else before, after=target)


def require_state(obj, table, action, *, column="status", verb=None):
    """Check (without writing) that ``obj`` may take ``action`` now; 409 with its state otherwise.

    For a row already locked by the caller whose change is written with other fields of
    the same object (e.g. a payment's refunded amount): the check and the write cannot race.
    """
    current = getattr(obj, column)
    target = target_state(table, action, current)
    if target is None:
        raise InvalidTransition(entity_name(obj), current, verb or action)
    return Change(before=current, after=target)
