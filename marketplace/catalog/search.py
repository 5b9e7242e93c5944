"""The product list query: filters, Chinese substring search, sorting.

One SELECT per page for the products (the supplier is joined in), one for the
count and one ``selectin`` load of the page's SKUs: three statements whatever the
page size. ``q`` is a plain case-insensitive substring match (``%`` and ``_`` are
literal), which finds ``黑木耳`` for ``木耳`` on both engines; on PostgreSQL the
pg_trgm GIN indexes on name and description serve it.
"""
from functools import lru_cache

from sqlalchemy import exists, func, or_, select

from marketplace.catalog.models import Product, Sku
from marketplace.certification.services import orderable_clause
from marketplace.core.auth import STAFF_ROLES
from marketplace.core.clock import today_local
from marketplace.core.errors import Forbidden
from marketplace.core.scope import in_scope_clause


def _active_sku(*conditions):
    return exists().where(Sku.product_id == Product.id, Sku.is_active.is_(True), *conditions)


def min_price_expr():
    """The lowest active SKU price of a product (correlated scalar subquery)."""
    return (select(func.min(Sku.price_fen)).where(Sku.product_id == Product.id, Sku.is_active.is_(True))
            .correlate(Product).scalar_subquery())


def _visibility(stmt, actor, args, today):
    """Orderable products, unless the caller asks for more and may see more."""
    if not args.get("include_unorderable"):
        stmt = stmt.where(orderable_clause(today))
        return stmt.where(Product.status == args["status"]) if args.get("status") else stmt
    if actor is None or (actor.role not in STAFF_ROLES and actor.role != "supplier_manager"):
        raise Forbidden("include_unorderable is for suppliers (own products) and admins")
    if actor.role == "supplier_manager":
        stmt = stmt.where(Product.supplier_id == actor.organization_id)
    else:
        stmt = stmt.where(in_scope_clause(Product.origin_region_code, actor.region_scope))
    return stmt.where(Product.status == args["status"]) if args.get("status") else stmt


#: Arguments that only slice the result (paginate applies them), not part of the statement.
PAGING_ARGS = ("page", "page_size")


def list_products_query(*, actor, args, today=None):
    """A select of the products the caller may list, filtered and sorted per ``args``.

    Raises Forbidden when ``include_unorderable`` is asked for by a buyer or anonymously.
    The public list (orderable products; it does not depend on the caller) is built once per
    day and combination of filters and then reused (statements are immutable and thread-safe),
    so a request does not rebuild the correlated orderability and price expressions.
    """
    today = today or today_local()
    if not args.get("include_unorderable"):
        return _public_query(today, tuple(sorted((k, v) for k, v in args.items() if k not in PAGING_ARGS)))
    return _build(actor, args, today)


@lru_cache(maxsize=512)
def _public_query(today, filters):
    return _build(None, dict(filters), today)


def _build(actor, args, today):
    stmt = _visibility(select(Product), actor, args, today)
    if args.get("q"):
        q = args["q"]
        stmt = stmt.where(or_(Product.name.icontains(q, autoescape=True),
                              Product.description.icontains(q, autoescape=True)))
    if args.get("category"):
        stmt = stmt.where(Product.category == args["category"])
    if args.get("region"):
        stmt = stmt.where(in_scope_clause(Product.origin_region_code, args["region"]))
    if args.get("supplier_id"):
        stmt = stmt.where(Product.supplier_id == args["supplier_id"])
    price_conditions = []
    if args.get("min_price_fen") is not None:
        price_conditions.append(Sku.price_fen >= args["min_price_fen"])
    if args.get("max_price_fen") is not None:
        price_conditions.append(Sku.price_fen <= args["max_price_fen"])
    if price_conditions:
        stmt = stmt.where(_active_sku(*price_conditions))
    if args.get("in_stock") is True:
        stmt = stmt.where(_active_sku(Sku.stock > 0))
    elif args.get("in_stock") is False:
        stmt = stmt.where(~_active_sku(Sku.stock > 0))
    return stmt.order_by(*_ordering(args.get("sort") or "newest"))


def _ordering(sort):
    price = min_price_expr()
    if sort == "price":
        return (price.is_(None), price.asc(), Product.id.asc())
    if sort == "-price":
        return (price.is_(None), price.desc(), Product.id.desc())
    if sort == "sales":
        return (Product.sales_count.desc(), Product.id.desc())
    return (Product.created_at.desc(), Product.id.desc())
