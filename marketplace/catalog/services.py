"""Catalog use-cases: products and SKUs, who may see and edit them, stock adjustments.

Visibility (404, never 403, for what the caller may not see):
- anyone (including anonymous callers) sees an orderable product;
- a supplier_manager sees and edits its own organization's products in any status;
- admins and auditors see every product whose origin lies in their region scope.
Only the owning supplier_manager edits (the views restrict the role).
"""
from sqlalchemy import select, update

from marketplace.audit.services import record, record_change, record_update
from marketplace.catalog.models import CATEGORIES, PRODUCT_TRANSITIONS, Product, Sku, StockAdjustment
from marketplace.catalog.schemes import (  # noqa: F401 (re-exported for other domains)
    DEFAULT_SCHEME,
    current_scheme_for,
    scheme_history,
    set_scheme,
)
from marketplace.catalog.search import list_products_query  # noqa: F401 (re-export)
from marketplace.certification.models import Certification
from marketplace.certification.services import is_orderable, valid_certificates_query
from marketplace.core.auth import STAFF_ROLES
from marketplace.core.clock import today_local
from marketplace.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, field_error
from marketplace.core.scope import may_see
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.geography.models import Region
from marketplace.geography.services import check_formerly_poor, region_path
from marketplace.organizations.models import Organization

from .schemas import MAX_STOCK

PRODUCT_FIELDS = ("name", "category", "origin_region_code", "description", "images", "shelf_life_days", "storage")


def list_categories():
    return [{"code": code, "name_zh": zh, "name_en": en} for code, (zh, en) in CATEGORIES.items()]


def _owns(actor, product):
    return actor is not None and actor.role == "supplier_manager" and actor.organization_id == product.supplier_id


def _staff_sees(actor, product):
    return actor is not None and actor.role in STAFF_ROLES and may_see(actor, product.origin_region_code)


def get_visible_product(actor, product_id, today=None):
    """The product if ``actor`` (None = anonymous) may see it; else NotFound."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound("product not found")
    if _owns(actor, product) or _staff_sees(actor, product) or is_orderable(product, today):
        return product
    raise NotFound("product not found")


def get_own_product(actor, product_id):
    """The product if it belongs to the actor's organization; else NotFound."""
    product = db.session.get(Product, product_id)
    if product is None or not _owns(actor, product):
        raise NotFound("product not found")
    return product


def get_own_sku(actor, sku_id):
    """The SKU if its product belongs to the actor's organization; else NotFound."""
    sku = db.session.get(Sku, sku_id)
    if sku is None or not _owns(actor, sku.product):
        raise NotFound("sku not found")
    return sku


def _check_origin(code):
    region = db.session.get(Region, code)
    if region is None:
        raise field_error("origin_region_code", "no such region")
    if region.level not in ("county", "village"):
        raise field_error("origin_region_code", "must be a county or village code")
    check_formerly_poor(code, "origin_region_code")


def _editable(product, action="edit"):
    if product.status == "archived":
        raise InvalidTransition("product", product.status, action)


def create_product(*, actor, data):
    """A verified supplier's manager lists a product; it starts as a draft.

    Raises Forbidden when the actor's organization is not a verified supplier,
    422 when the origin region is unknown, not a county/village or not in a formerly poor county.
    """
    org = db.session.get(Organization, actor.organization_id) if actor.organization_id else None
    if org is None or not org.is_supplier:
        raise Forbidden("only a supplier organization's manager can list products")
    if org.status != "verified":
        raise Forbidden("the organization must be verified before it can list products")
    _check_origin(data["origin_region_code"])
    product = Product(supplier_id=org.id, status="draft", **{k: data.get(k) for k in PRODUCT_FIELDS})
    db.session.add(product)
    db.session.flush()
    record(actor, "product.create", "product", product.id, after={"name": product.name, "status": "draft"},
           region_code=product.origin_region_code)
    return product


def update_product(*, actor, product_id, data):
    """Edit descriptive fields of an own, non-archived product (status/supplier/stock are not settable)."""
    product = get_own_product(actor, product_id)
    _editable(product)
    if "origin_region_code" in data:
        _check_origin(data["origin_region_code"])
    record_update(actor, "product.update", product, data, region_code=lambda p: p.origin_region_code)
    return product


def change_product_status(*, actor, product_id, action):
    """publish: draft → active; unpublish: active → draft; archive: draft/active → archived.

    Archiving keeps every row (orders keep their snapshots). Wrong state: 409 with current_state.
    """
    product = get_own_product(actor, product_id)
    change = transition(product, PRODUCT_TRANSITIONS, action)
    record_change(actor, f"product.{action}", product, change, region_code=product.origin_region_code)
    return product


def certification_summary(product, today=None):
    """The certification to show: the valid approval lasting longest, else the latest one."""
    valid = db.session.scalars(valid_certificates_query([product.id], today)).all()
    if valid:
        return valid[-1]
    return db.session.scalar(select(Certification).where(Certification.product_id == product.id)
                             .order_by(Certification.id.desc()).limit(1))


def product_detail(actor, product_id):
    """A visible product with orderability, certification summary and origin region path."""
    today = today_local()
    product = get_visible_product(actor, product_id, today)
    product.orderable = is_orderable(product, today)
    product.certification = certification_summary(product, today)
    product.origin_region_path = region_path(product.origin_region_code)
    return product


def create_sku(*, actor, product_id, data):
    """Add a SKU to an own, non-archived product."""
    product = get_own_product(actor, product_id)
    _editable(product, "add a sku to")
    sku = Sku(product_id=product.id, **data)
    db.session.add(sku)
    db.session.flush()
    record(actor, "sku.create", "sku", sku.id, after=dict(data, product_id=product.id),
           region_code=product.origin_region_code)
    return sku


def update_sku(*, actor, sku_id, data):
    """Edit name, unit, price, minimum quantity or is_active (audited; stock is not settable here)."""
    sku = get_own_sku(actor, sku_id)
    _editable(sku.product, "edit a sku of")
    price_moved = "price_fen" in data and sku.price_fen != data["price_fen"]
    record_update(actor, "sku.price_change" if price_moved else "sku.update", sku, data,
                  region_code=sku.product.origin_region_code)
    return sku


def adjust_stock(*, actor, sku_id, delta, reason):
    """Add ``delta`` to a SKU's stock atomically (one conditional UPDATE, safe under concurrency).

    Raises Conflict (409, with ``sku_id`` and ``available``) when the result would be
    below zero, and 422 on ``delta`` when it would exceed the stock ceiling; the
    stock is then unchanged.
    """
    sku = get_own_sku(actor, sku_id)
    new_stock = Sku.__table__.c.stock + delta
    stmt = (update(Sku.__table__).where(Sku.__table__.c.id == sku.id, new_stock >= 0, new_stock <= MAX_STOCK)
            .values(stock=new_stock).returning(Sku.__table__.c.stock))
    stock_after = db.session.execute(stmt).scalar()
    db.session.refresh(sku, ["stock"])
    if stock_after is None:
        if sku.stock + delta < 0:
            raise Conflict(f"not enough stock: {sku.stock} available", sku_id=sku.id, available=sku.stock)
        raise field_error("delta", f"stock may not exceed {MAX_STOCK}")
    adjustment = StockAdjustment(sku_id=sku.id, delta=delta, reason=reason, stock_after=stock_after,
                                 actor_id=getattr(actor, "id", None))
    db.session.add(adjustment)
    db.session.flush()
    record(actor, "sku.stock_adjust", "sku", sku.id, before={"stock": stock_after - delta},
           after={"stock": stock_after, "delta": delta, "reason": reason},
           region_code=sku.product.origin_region_code)
    return adjustment


def get_scheme_product(actor, product_id):
    """A product whose attribution scheme the actor may read: its own supplier, or staff in scope."""
    product = db.session.get(Product, product_id)
    if product is None or not (_owns(actor, product) or _staff_sees(actor, product)):
        raise NotFound("product not found")
    return product
