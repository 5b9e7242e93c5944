"""Certification (扶贫产品认定) and the orderability rule.

The rule lives here once, as a SQL filter, so the catalog list, the product page
and order placement all agree:

    a product is orderable while its supplier is ``verified``, the product is
    ``active`` and it holds a certification that is ``approved`` with
    ``valid_from <= today <= valid_until`` ("today" is the Asia/Shanghai date).

It is evaluated at query time: an expired certificate stops being orderable the
day after ``valid_until`` with no job, and a re-certification approved before
expiry keeps the product orderable without a gap (any one valid approval is enough).
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select

from marketplace.catalog.models import Product
from marketplace.certification.models import Certification
from marketplace.extensions import db
from marketplace.organizations.models import Organization

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def today_local():
    """Today's date in China (Asia/Shanghai), the calendar certificates are issued in."""
    return datetime.now(LOCAL_TZ).date()


def valid_certification_clause(today, product_id=Product.id):
    """EXISTS an approved certification of ``product_id`` whose window contains ``today``."""
    return exists().where(
        Certification.product_id == product_id,
        Certification.status == "approved",
        Certification.valid_from <= today,
        Certification.valid_until >= today,
    )


def orderable_clause(today=None):
    """The orderability rule as one SQL boolean over ``Product``.

    Use as ``select(Product).where(orderable_clause(today))``; ``today`` defaults
    to ``today_local()``. The supplier check is a correlated EXISTS, so no join is
    needed by the caller.
    """
    today = today or today_local()
    supplier_verified = exists().where(Organization.id == Product.supplier_id, Organization.status == "verified")
    return and_(Product.status == "active", supplier_verified, valid_certification_clause(today))


def is_orderable(product, today=None):
    """True when one product (an instance or an id) satisfies the orderability rule today."""
    product_id = product if isinstance(product, int) else product.id
    stmt = select(Product.id).where(Product.id == product_id, orderable_clause(today))
    return db.session.scalar(stmt) is not None
