"""Region scope: what a region-scoped caller may see and what it may change.

A scope is a region-code prefix (``""`` = national). The hierarchy of region codes is the
prefix (see ``geography.codes``), so a scope covers a code when the code starts with it.

Two rules, and only these two:

- **see**: an object is visible when ANY region it concerns is inside the scope
  (an order is seen by the county of its buyer and by the county of each of its lines);
- **change**: an object may be changed only when EVERY region it concerns is inside the
  scope (a county admin changes an order only when the buyer and all its lines are in it).

These functions check the region scope only; whether the caller's role may act at all is
the caller's check. Pure: no domain, no database session.
"""
from sqlalchemy import exists, not_, true

from marketplace.core.errors import NotFound


def covers(scope, code) -> bool:
    """``code`` lies under the region prefix ``scope`` ('' or None = national)."""
    return (code or "").startswith(scope or "")


def may_see(actor, *region_codes) -> bool:
    """ANY of ``region_codes`` is inside ``actor``'s region scope (always true for a national scope)."""
    scope = actor.region_scope or ""
    return not scope or any(covers(scope, code) for code in region_codes)


def may_change(actor, *region_codes) -> bool:
    """EVERY one of ``region_codes`` is inside ``actor``'s region scope."""
    scope = actor.region_scope or ""
    return all(covers(scope, code) for code in region_codes)


def in_scope_clause(column, scope):
    """SQL: ``column`` lies under the region prefix ``scope`` ('' = everything)."""
    if not scope:
        return true()
    return column.startswith(scope, autoescape=True)


def every_in_scope_clause(column, scope, *where):
    """SQL: every row of ``column``'s table that matches ``where`` lies under ``scope`` (NOT EXISTS one
    outside it): the "every line" half of the *change* rule. True for a national scope."""
    if not scope:
        return true()
    return not_(exists().where(*where, not_(column.startswith(scope, autoescape=True))))


def narrowed(scope, requested):
    """The effective region prefix of a scoped request: the narrower of ``scope`` and ``requested``;
    NotFound when the two are disjoint (a region outside the caller's scope)."""
    scope, requested = scope or "", requested or ""
    if covers(scope, requested):
        return requested
    if covers(requested, scope):
        return scope
    raise NotFound(f"region {requested} is not in your scope")
