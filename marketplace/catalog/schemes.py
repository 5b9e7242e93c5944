"""Attribution schemes: versioned shares (basis points summing to 10000) per product.

Resolution (``current_scheme_for``): the product's latest version, else the
supplier's default (a scheme row with ``product_id`` NULL), else ``DEFAULT_SCHEME``,
the built-in fallback: 60% to households by supply records, 0% by shares, 10% to
the village collective, 30% kept by the supplier, with a 365-day supply look-back.
The built-in has ``id`` None and ``version`` 0. Versions are never edited: a PUT
appends version ``max + 1``, so a ledger entry can always name the version it used.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from marketplace.audit.services import record
from marketplace.catalog.models import AttributionScheme
from marketplace.extensions import db


@dataclass(frozen=True)
class BuiltinScheme:
    id: None = None
    product_id: None = None
    supplier_id: int | None = None
    version: int = 0
    households_by_supply_bp: int = 6000
    households_by_shares_bp: int = 0
    collective_bp: int = 1000
    supplier_bp: int = 3000
    supply_lookback_days: int = 365
    source: str = "builtin"
    created_at: datetime | None = None


DEFAULT_SCHEME = BuiltinScheme()


def _latest(product_id, supplier_id, at):
    product_cond = (AttributionScheme.product_id.is_(None) if product_id is None
                    else AttributionScheme.product_id == product_id)
    stmt = select(AttributionScheme).where(product_cond, AttributionScheme.supplier_id == supplier_id)
    if at is not None:
        stmt = stmt.where(AttributionScheme.created_at <= at)
    return db.session.scalar(stmt.order_by(AttributionScheme.version.desc()).limit(1))


def current_scheme_for(*, product_id, supplier_id, at=None):
    """The scheme in force for a product (at ``at``, a tz-aware datetime; default now).

    Returns an ``AttributionScheme`` row or the built-in ``BuiltinScheme``; both have
    ``id``, ``version``, the four ``*_bp``, ``supply_lookback_days`` and ``source``.
    """
    if product_id is not None:
        scheme = _latest(product_id, supplier_id, at)
        if scheme is not None:
            return scheme
    return _latest(None, supplier_id, at) or BuiltinScheme(supplier_id=supplier_id)


def set_scheme(*, actor, product, data):
    """Append a new version of ``product``'s scheme (``product`` None = the supplier default).

    The shares were checked to sum to 10000 by the schema (and a CHECK constraint).
    """
    supplier_id = product.supplier_id if product is not None else actor.organization_id
    product_id = product.id if product is not None else None
    product_cond = (AttributionScheme.product_id.is_(None) if product_id is None
                    else AttributionScheme.product_id == product_id)
    latest = db.session.scalar(select(func.max(AttributionScheme.version))
                               .where(product_cond, AttributionScheme.supplier_id == supplier_id)) or 0
    scheme = AttributionScheme(product_id=product_id, supplier_id=supplier_id, version=latest + 1,
                               created_by_id=getattr(actor, "id", None), **data)
    db.session.add(scheme)
    db.session.flush()
    record(actor, "attribution_scheme.create", "attribution_scheme", scheme.id,
           after=dict(data, product_id=product_id, supplier_id=supplier_id, version=scheme.version),
           region_code=product.origin_region_code if product is not None else "")
    return scheme


def scheme_history(product):
    """{current, versions}: the scheme in force and the product's own versions, newest first."""
    versions = db.session.scalars(select(AttributionScheme).where(AttributionScheme.product_id == product.id)
                                  .order_by(AttributionScheme.version.desc())).all()
    return {"current": current_scheme_for(product_id=product.id, supplier_id=product.supplier_id),
            "versions": versions}
