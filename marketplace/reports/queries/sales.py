"""Sales: paid order lines grouped by region, catalog, buyer or local time.

One statement: an inner GROUP BY over order lines joined to their orders, and an
outer query that only attaches names (regions, buyer organizations) to the
grouped rows, so the joins touch groups rather than lines.
"""
from sqlalchemy import func, literal, select, tuple_

from marketplace.geography.models import Region
from marketplace.orders.models import Order, OrderLine
from marketplace.organizations.models import Organization
from marketplace.reports.queries.common import PAID_STATUSES, REGION_LENGTHS, in_period, region_key, total, under_prefix
from marketplace.reports.queries.dialect import TIME_UNITS, local_bucket, supports_grouping_sets

GROUP_KEYS = (*REGION_LENGTHS, "category", "product", "supplier", "buyer", "buyer_kind", *TIME_UNITS)
MEASURES = ("orders", "quantity", "refunded_quantity", "gross_fen", "refunded_fen", "net_fen")


def key_columns(key):
    """The output columns a group key contributes, in order."""
    if key in REGION_LENGTHS:
        return [key, f"{key}_name"]
    if key == "product":
        return ["product_id", "product_name"]
    if key == "supplier":
        return ["supplier_id", "supplier_name"]
    if key == "buyer":
        return ["buyer_org_id", "buyer_name"]
    return [key]


def columns_for(group_by):
    return [c for key in group_by for c in key_columns(key)] + list(MEASURES)


def _filters(period, region, category):
    conditions = [Order.payment_status.in_(PAID_STATUSES), in_period(Order.paid_at, period),
                  under_prefix(OrderLine.origin_region_code, region)]
    if category:
        conditions.append(OrderLine.category == category)
    return conditions


def _measures():
    return [
        func.count(func.distinct(OrderLine.order_id)).label("orders"),
        total(OrderLine.quantity).label("quantity"),
        total(OrderLine.refunded_quantity).label("refunded_quantity"),
        total(OrderLine.amount_fen).label("gross_fen"),
        total(OrderLine.refunded_fen).label("refunded_fen"),
        total(OrderLine.amount_fen - OrderLine.refunded_fen).label("net_fen"),
    ]


def _inner_keys(key, dialect_name):
    """(grouped expressions, extra aggregated expressions) of one key, labelled."""
    if key in REGION_LENGTHS:
        return [region_key(OrderLine.origin_region_code, REGION_LENGTHS[key]).label(key)], []
    if key == "product":
        return [OrderLine.product_id.label("product_id")], [func.max(OrderLine.product_name).label("product_name")]
    if key == "supplier":
        return [OrderLine.supplier_id.label("supplier_id")], [func.max(OrderLine.supplier_name).label("supplier_name")]
    if key == "buyer":
        return [Order.buyer_org_id.label("buyer_org_id")], []
    if key == "buyer_kind":
        return [Order.buyer_kind.label("buyer_kind")], []
    if key == "category":
        return [OrderLine.category.label("category")], []
    return [local_bucket(Order.paid_at, key, dialect_name).label(key)], []


def sales_statement(*, group_by, period, region="", category=None, dialect_name="sqlite"):
    """SELECT keys..., orders, quantity, refunded_quantity, gross_fen, refunded_fen, net_fen, is_total.

    One row per group. On PostgreSQL the grand total comes in the same pass (GROUPING SETS) as a last
    row with ``is_total`` true; elsewhere ``is_total`` is always false and ``sales_totals_statement``
    gives the totals.
    """
    grouped, extra = [], []
    for key in group_by:
        g, e = _inner_keys(key, dialect_name)
        grouped += g
        extra += e
    one_pass = supports_grouping_sets(dialect_name)
    is_total = (func.grouping(*grouped) > 0) if one_pass else literal(False)
    inner = (select(*grouped, *extra, *_measures(), is_total.label("is_total"))
             .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
             .where(*_filters(period, region, category))
             .group_by(*([func.grouping_sets(tuple_(*grouped), tuple_())] if one_pass else grouped))
             .subquery("grouped"))
    outer_columns, order_by, stmt_joins = [], [inner.c.is_total], []
    for key in group_by:
        if key in REGION_LENGTHS:
            named = Region.__table__.alias(f"region_{key}")
            stmt_joins.append((named, named.c.code == inner.c[key]))
            outer_columns += [inner.c[key], named.c.name.label(f"{key}_name")]
            order_by.append(inner.c[key].asc().nulls_last())
        elif key == "buyer":
            org = Organization.__table__.alias("buyer_org")
            stmt_joins.append((org, org.c.id == inner.c.buyer_org_id))
            outer_columns += [inner.c.buyer_org_id, org.c.name.label("buyer_name")]
            order_by.append(inner.c.buyer_org_id)
        else:
            cols = [inner.c[name] for name in key_columns(key)]
            outer_columns += cols
            order_by.append(cols[0].asc().nulls_last())
    stmt = select(*outer_columns, *(inner.c[m] for m in MEASURES), inner.c.is_total).select_from(inner)
    for table, on in stmt_joins:
        stmt = stmt.outerjoin(table, on)
    return stmt.order_by(*order_by)


def sales_totals_statement(*, period, region="", category=None):
    """The same filters without grouping: distinct orders and the sums (equal to the sum of the rows)."""
    return (select(*_measures()).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(*_filters(period, region, category)))
