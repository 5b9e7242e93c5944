"""Write and read audit events. Callers pass only non-personal data in before/after."""
from datetime import date, datetime

import structlog
from sqlalchemy import inspect, select

from marketplace.audit.models import AuditEvent
from marketplace.core.clock import day_end_utc, day_start_utc
from marketplace.core.scope import in_scope_clause
from marketplace.core.transitions import entity_name
from marketplace.extensions import db


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def record(actor, action, entity_type, entity_id, *, before=None, after=None, region_code=""):
    """Append one audit event in the current transaction."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        region_code=region_code or "",
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=structlog.contextvars.get_contextvars().get("request_id"),
    )
    db.session.add(event)
    return event


def record_change(actor, action, entity, change=None, *, before=None, after=None, region_code=""):
    """"Change, then write an audit event": the event of one change to ``entity`` (a model instance).

    ``entity_type`` is the model's snake-case name and ``entity_id`` its primary key. A state
    ``change`` (what ``core.transitions.transition`` returns) puts ``{"status": before}`` and
    ``{"status": after}`` first in ``before``/``after``; the other keys given are added after it.
    """
    if change is not None:
        before = {"status": change.before, **(before or {})}
        after = {"status": change.after, **(after or {})}
    entity_id = getattr(entity, inspect(type(entity)).primary_key[0].key)
    return record(actor, action, entity_name(entity), entity_id, before=before, after=after, region_code=region_code)


def record_update(actor, action, entity, data, *, region_code=""):
    """Edit fields, then write the audit event: set ``data`` on ``entity``, flush, and record
    ``before`` = the old values of those fields and ``after`` = ``data``. Returns the old values.

    ``region_code`` may be a callable(entity), evaluated after the edit (an edit may move the entity).
    """
    before = {key: getattr(entity, key) for key in data}
    for key, value in data.items():
        setattr(entity, key, value)
    db.session.flush()
    record_change(actor, action, entity, before=before, after=data,
                  region_code=region_code(entity) if callable(region_code) else region_code)
    return before


def list_events_query(*, actor, filters):
    """Events inside the caller's region scope, newest first; ``from``/``to`` are Asia/Shanghai days."""
    stmt = select(AuditEvent).where(in_scope_clause(AuditEvent.region_code, actor.region_scope))
    for key in ("entity_type", "entity_id", "actor_id", "action"):
        if filters.get(key) is not None:
            stmt = stmt.where(getattr(AuditEvent, key) == filters[key])
    if filters.get("from"):
        stmt = stmt.where(AuditEvent.created_at >= day_start_utc(filters["from"]))
    if filters.get("to"):
        stmt = stmt.where(AuditEvent.created_at < day_end_utc(filters["to"]))
    return stmt.order_by(AuditEvent.id.desc())
