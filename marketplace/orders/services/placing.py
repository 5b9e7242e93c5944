"""Placing an order: checks, snapshots, stock, fulfilments, number, approval."""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import lazyload

from marketplace.audit.services import record
from marketplace.catalog.models import Product, Sku
from marketplace.certification.models import Certification
from marketplace.certification.services import orderable_clause, valid_certificates_query
from marketplace.core.auth import BUYER_ROLES
from marketplace.core.clock import now_local, today_local
from marketplace.core.db import utcnow
from marketplace.core.errors import Forbidden, Unprocessable, field_error
from marketplace.core.money import MAX_FEN
from marketplace.extensions import db
from marketplace.orders.errors import InsufficientStock
from marketplace.orders.models import Fulfilment, Order, OrderLine
from marketplace.orders.services.numbering import next_order_number
from marketplace.orders.services.price_check import check_expected_prices

NOT_ORDERABLE = ("not orderable: the product must be active, its supplier verified and its certification "
                 "approved and valid today")


def buyer_org_for_ordering(buyer):
    """The buyer's organization if it may order: a verified buyer organization; else 403."""
    org = buyer.organization
    if buyer.role not in BUYER_ROLES or org is None or not org.is_buyer:
        raise Forbidden("only users of a buyer organization may place orders")
    if org.status != "verified":
        raise Forbidden(f"your organization is {org.status}; it may place orders once an administrator verifies it",
                        current_state=org.status)
    return org


def pay_by_for(method, now):
    """The deadline after which an unpaid order is cancelled (configurable per method)."""
    if method == "stripe":
        return now + timedelta(hours=current_app.config["ORDER_PAY_BY_HOURS_STRIPE"])
    return now + timedelta(days=current_app.config["ORDER_PAY_BY_DAYS_TRANSFER"])


def _load_and_check(lines, today):
    """SKUs and products of the lines; 422 naming every line that cannot be ordered.

    One statement: the SKUs with their products (the supplier joined in by the mapping) and
    the orderability rule evaluated per product. The products' own SKU lists are not loaded.
    """
    sku_ids = [line["sku_id"] for line in lines]
    rows = db.session.execute(
        select(Sku, Product, orderable_clause(today).label("orderable"))
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.id.in_(sku_ids))
        .options(lazyload(Product.skus))).all()
    skus = {sku.id: sku for sku, _, _ in rows}
    products = {product.id: product for _, product, _ in rows}
    orderable = {product.id for _, product, is_orderable in rows if is_orderable}
    errors = {}
    for i, line in enumerate(lines):
        sku = skus.get(line["sku_id"])
        if sku is None:
            errors[f"lines.{i}.sku_id"] = ["no such SKU"]
        elif not sku.is_active or sku.product_id not in orderable:
            errors[f"lines.{i}.sku_id"] = [NOT_ORDERABLE]
        elif line["quantity"] < sku.min_order_qty:
            errors[f"lines.{i}.quantity"] = [f"below the minimum order quantity of {sku.min_order_qty}"]
    if errors:
        raise Unprocessable("some lines cannot be ordered: " + ", ".join(sorted(errors)), errors=errors)
    if sum(line["quantity"] * skus[line["sku_id"]].price_fen for line in lines) > MAX_FEN:
        raise field_error("lines", f"the order's total exceeds the maximum amount of {MAX_FEN} fen")
    return skus, products


def _certificates(product_ids, today):
    """product id → certificate_no of its valid approved certification (the longest-running one)."""
    rows = db.session.execute(valid_certificates_query(product_ids, today)
                              .with_only_columns(Certification.product_id, Certification.certificate_no))
    return {product_id: number for product_id, number in rows}


def take_stock(lines):
    """Decrement stock for every line, or for none.

    Each SKU: ``UPDATE skus SET stock = stock - :q WHERE id = :id AND stock >= :q``, in
    ascending SKU id order (two orders over the same SKUs lock them in the same order, so
    they cannot deadlock). Any rowcount of 0 is a shortage: what was already taken is given
    back (the rows are still locked by this transaction, so the stock is exactly as before)
    and InsufficientStock (409) names every short SKU with what is left.
    Products' sales_count grows by the quantities (ascending product id, after the SKUs).
    """
    wanted = sorted((line["sku_id"], line["quantity"], i) for i, line in enumerate(lines))
    taken, shortages = [], []
    for sku_id, quantity, i in wanted:
        result = db.session.execute(
            update(Sku).where(Sku.id == sku_id, Sku.stock >= quantity).values(stock=Sku.stock - quantity)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            taken.append((sku_id, quantity))
        else:
            available = db.session.scalar(select(Sku.stock).where(Sku.id == sku_id))
            shortages.append({"line": i, "sku_id": sku_id, "requested": quantity, "available": available})
    if shortages:
        for sku_id, quantity in taken:
            db.session.execute(update(Sku).where(Sku.id == sku_id).values(stock=Sku.stock + quantity)
                               .execution_options(synchronize_session=False))
        raise InsufficientStock(sorted(shortages, key=lambda s: s["line"]))


def _count_sales(product_quantities):
    for product_id in sorted(product_quantities):
        db.session.execute(update(Product).where(Product.id == product_id)
                           .values(sales_count=Product.sales_count + product_quantities[product_id])
                           .execution_options(synchronize_session=False))


def place_order(*, buyer, data):
    """Place an order for the buyer's (verified) organization.

    Every line must be orderable today (certification rule) and at least the SKU's
    min_order_qty (422 naming ``lines.N.sku_id`` / ``lines.N.quantity``). Lines snapshot
    price, names, unit, supplier, category, origin region and certificate number. One
    fulfilment per supplier. Stock is taken atomically (409 InsufficientStock, nothing
    taken and no row of the order left). Status is ``pending_approval`` when the total
    exceeds the organization's approval threshold (when set), else ``placed``. Raises 403
    for an unverified org.
    """
    org = buyer_org_for_ordering(buyer)
    today = today_local()
    lines = data["lines"]
    skus, products = _load_and_check(lines, today)
    check_expected_prices(lines, skus)
    certificates = _certificates(list(products), today)

    now = utcnow()
    delivery = dict(data["delivery"], requested_date=data["delivery"]["requested_date"].isoformat())
    order = Order(buyer_org_id=org.id, buyer_region_code=org.region_code, buyer_kind=org.kind, placed_by_id=buyer.id,
                  status="placed", payment_method=data["payment_method"], payment_status="unpaid", total_fen=0,
                  delivery=delivery, note=data.get("note") or "", pay_by=pay_by_for(data["payment_method"], now),
                  placed_at=now, number="")
    fulfilments = {}
    sold = {}
    for line in lines:
        sku = skus[line["sku_id"]]
        product = products[sku.product_id]
        sold[product.id] = sold.get(product.id, 0) + line["quantity"]
        fulfilment = fulfilments.get(product.supplier_id)
        if fulfilment is None:
            fulfilment = fulfilments[product.supplier_id] = Fulfilment(order=order, supplier_id=product.supplier_id,
                                                                       status="pending")
        OrderLine(order=order, fulfilment=fulfilment, sku_id=sku.id, product_id=product.id,
                  supplier_id=product.supplier_id, quantity=line["quantity"], unit_price_fen=sku.price_fen,
                  amount_fen=line["quantity"] * sku.price_fen, product_name=product.name, sku_name=sku.name,
                  unit=sku.unit, supplier_name=product.supplier.name, category=product.category,
                  origin_region_code=product.origin_region_code, certificate_no=certificates.get(product.id),
                  refunded_quantity=0, refunded_fen=0)
    order.total_fen = sum(line.amount_fen for line in order.lines)
    threshold = org.approval_threshold_fen
    if threshold is not None and order.total_fen > threshold:
        order.status = "pending_approval"
    # The order's rows go in before any row lock is taken, under a placeholder number no other
    # transaction can see. From the first stock UPDATE to the commit this transaction holds row
    # locks other placements wait for (the SKUs, the products' sales counts, the year's order
    # counter, in that fixed order), so that span holds only those UPDATEs, the number and the
    # audit event.
    order.number = f"~{secrets.token_hex(8)}"
    db.session.add(order)
    db.session.flush()
    try:
        take_stock(lines)
    except InsufficientStock:
        _unplace(order)
        raise
    _count_sales(sold)
    order.number = next_order_number(now_local().year)
    for sku in skus.values():
        db.session.expire(sku, ["stock"])
    for product in products.values():
        db.session.expire(product, ["sales_count"])
    record(buyer, "order.place", "order", order.id, after={
        "number": order.number, "status": order.status, "total_fen": order.total_fen,
        "payment_method": order.payment_method,
        "lines": [{"sku_id": line.sku_id, "quantity": line.quantity, "unit_price_fen": line.unit_price_fen}
                  for line in order.lines]}, region_code=order.buyer_region_code)
    return order


def _unplace(order):
    """Delete the rows of an order whose stock could not be taken: nothing of it stays behind."""
    for line in order.lines:
        db.session.delete(line)
    for fulfilment in order.fulfilments:
        db.session.delete(fulfilment)
    db.session.delete(order)
    db.session.flush()
