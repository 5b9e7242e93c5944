"""Procurement: each buyer organization's paid spend in a year against its target.

Spend is the net (gross minus refunded) of its paid orders' lines, by the
order's ``paid_at`` in the Asia/Shanghai year. Percent and the behind-schedule
flag are integer maths on the grouped rows (``derive``).
"""
from sqlalchemy import and_, func, or_, select

from marketplace.core.clock import year_bounds_utc
from marketplace.orders.models import Order, OrderLine
from marketplace.organizations.models import BUYER_KINDS, Organization, ProcurementTarget
from marketplace.reports.queries.common import PAID_STATUSES, Period, in_period, total, under_prefix

COLUMNS = ("organization_id", "organization_name", "kind", "region_code", "target_fen", "spent_fen", "orders",
           "percent_bp", "percent", "elapsed_bp", "behind_schedule")


def procurement_statement(*, year, region=""):
    spend = (select(Order.buyer_org_id.label("organization_id"),
                    func.count(func.distinct(Order.id)).label("orders"),
                    total(OrderLine.amount_fen - OrderLine.refunded_fen).label("spent_fen"))
             .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
             .where(Order.payment_status.in_(PAID_STATUSES), in_period(Order.paid_at, Period.of_year(year)))
             .group_by(Order.buyer_org_id).subquery("spend"))
    return (select(Organization.id.label("organization_id"), Organization.name.label("organization_name"),
                   Organization.kind, Organization.region_code, ProcurementTarget.target_fen,
                   func.coalesce(spend.c.spent_fen, 0).label("spent_fen"),
                   func.coalesce(spend.c.orders, 0).label("orders"))
            .select_from(Organization)
            .outerjoin(ProcurementTarget, and_(ProcurementTarget.organization_id == Organization.id,
                                               ProcurementTarget.year == year))
            .outerjoin(spend, spend.c.organization_id == Organization.id)
            .where(Organization.kind.in_(BUYER_KINDS), under_prefix(Organization.region_code, region),
                   or_(ProcurementTarget.id.is_not(None), spend.c.organization_id.is_not(None)))
            .order_by(Organization.id))


def elapsed(year, now):
    """(elapsed seconds, seconds in the year) of ``year`` at ``now``, in Asia/Shanghai; clamped to the year."""
    start, end = year_bounds_utc(year)
    length = int((end - start).total_seconds())
    done = int((now - start).total_seconds())
    return min(max(done, 0), length), length


def percent_text(spent, target):
    """Percent with one decimal, floor, computed in integers: 1234 of 10000 -> "12.3"."""
    tenths = spent * 1000 // target
    return f"{tenths // 10}.{tenths % 10}"


def derive(row, year, now):
    """percent_bp (floor), percent text, elapsed_bp and behind_schedule from a row's target and spend.

    Behind schedule when spent/target < elapsed/length, i.e. spent*length < target*elapsed (exact integers).
    Without a positive target all of them are None.
    """
    spent, target = int(row["spent_fen"]), row["target_fen"]
    done, length = elapsed(year, now)
    if not target:
        return {"percent_bp": None, "percent": None, "elapsed_bp": done * 10000 // length, "behind_schedule": None}
    return {"percent_bp": spent * 10000 // target, "percent": percent_text(spent, target),
            "elapsed_bp": done * 10000 // length, "behind_schedule": spent * length < target * done}
