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
from sqlalchemy import and_, exists, select

from marketplace.audit.services import record, record_change
from marketplace.catalog.models import Product
from marketplace.certification.models import Certification
from marketplace.certification.states import TRANSITIONS
from marketplace.core.auth import STAFF_ROLES
from marketplace.core.clock import today_local
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, field_error
from marketplace.core.scope import in_scope_clause, may_see
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.geography.codes import county_of
from marketplace.organizations.models import Organization


def _valid_on(today):
    """The certification rule on one Certification row: approved, and its window contains ``today``."""
    return and_(Certification.status == "approved", Certification.valid_from <= today,
                Certification.valid_until >= today)


def valid_certification_clause(today, product_id=Product.id):
    """EXISTS an approved certification of ``product_id`` whose window contains ``today``."""
    return exists().where(Certification.product_id == product_id, _valid_on(today))


def valid_certificates_query(product_ids, today=None):
    """SELECT the certifications that make ``product_ids`` certified on ``today`` (default: today_local()),
    ordered by (valid_until, id): the last one per product is the longest-running (the one to show)."""
    return (select(Certification)
            .where(Certification.product_id.in_(product_ids), _valid_on(today or today_local()))
            .order_by(Certification.valid_until, Certification.id))


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


# --- the workflow: submit → approve | reject; approved → revoke --------------------------

MAX_VALIDITY_YEARS = 3


def _own_product(actor, product_id):
    product = db.session.get(Product, product_id)
    if product is None or actor.role != "supplier_manager" or product.supplier_id != actor.organization_id:
        raise NotFound("product not found")
    return product


def submit(*, actor, product_id, data):
    """The product's supplier_manager submits evidence for review → ``submitted``.

    Raises NotFound for another organization's product, Conflict when the product is
    archived or already has a submission awaiting review.
    """
    product = _own_product(actor, product_id)
    if product.status == "archived":
        raise InvalidTransition("product", product.status, "certify")
    pending = db.session.scalar(select(Certification.id).where(Certification.product_id == product.id,
                                                               Certification.status == "submitted"))
    if pending:
        raise Conflict(f"certification {pending} is already awaiting review", certification_id=pending)
    cert = Certification(product_id=product.id, status="submitted", evidence_urls=data["evidence_urls"],
                         benefit_description=data["benefit_description"])
    db.session.add(cert)
    db.session.flush()
    record(actor, "certification.submit", "certification", cert.id, after={"product_id": product.id},
           region_code=product.origin_region_code)
    return cert


def list_query(*, actor, args):
    """Admins and auditors: certifications of products in their region scope; suppliers: their own."""
    stmt = select(Certification).join(Product, Product.id == Certification.product_id)
    if actor.role in STAFF_ROLES:
        stmt = stmt.where(in_scope_clause(Product.origin_region_code, actor.region_scope))
    else:
        stmt = stmt.where(Product.supplier_id == actor.organization_id)
    if args.get("status"):
        stmt = stmt.where(Certification.status == args["status"])
    if args.get("region"):
        stmt = stmt.where(in_scope_clause(Product.origin_region_code, args["region"]))
    if args.get("product_id"):
        stmt = stmt.where(Certification.product_id == args["product_id"])
    return stmt.order_by(Certification.id.desc())


def get_visible(actor, cert_id):
    """The certification if the actor is staff in scope or its product's supplier; else NotFound."""
    cert = db.session.get(Certification, cert_id)
    if cert is not None:
        product = cert.product
        if actor.role in STAFF_ROLES and may_see(actor, product.origin_region_code):
            return cert
        if actor.role == "supplier_manager" and actor.organization_id == product.supplier_id:
            return cert
    raise NotFound("certification not found")


def _years_later(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_certificate_no(county_code, year):
    """``FP-<county code, 6 digits>-<year of valid_from>-<NNNNN>``, NNNNN counting per county and year.

    Two approvals racing for the same number collide on the unique constraint and
    the second request answers 409 (nothing saved); a retry takes the next number.
    """
    prefix = f"FP-{county_code}-{year}-"
    taken = db.session.scalars(select(Certification.certificate_no)
                               .where(Certification.certificate_no.startswith(prefix, autoescape=True)))
    numbers = [int(no[len(prefix):]) for no in taken if no[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


def _decide(actor, cert_id, action, **values):
    """The admin's decision: the state change (409 with current_state) and who decided when."""
    cert = get_visible(actor, cert_id)
    if actor.role != "admin":
        raise NotFound("certification not found")
    change = transition(cert, TRANSITIONS, action, values={"decided_by_id": actor.id, "decided_at": utcnow(), **values})
    return cert, change


def approve(*, actor, cert_id, data):
    """submitted → approved with a validity window of at most 3 years and a unique certificate number.

    Raises 422 on the window, Conflict on a taken number or a wrong state (current_state).
    """
    if data["valid_until"] > _years_later(data["valid_from"], MAX_VALIDITY_YEARS):
        raise field_error("valid_until", f"a certificate is valid for at most {MAX_VALIDITY_YEARS} years")
    cert, change = _decide(actor, cert_id, "approve")
    number = data.get("certificate_no")
    if number and db.session.scalar(select(Certification.id).where(Certification.certificate_no == number)):
        raise Conflict("certificate number already issued", errors={"certificate_no": ["already issued"]})
    cert.certificate_no = number or next_certificate_no(county_of(cert.product.origin_region_code),
                                                        data["valid_from"].year)
    cert.valid_from, cert.valid_until = data["valid_from"], data["valid_until"]
    db.session.flush()
    record_change(actor, "certification.approve", cert, change,
                  after={"certificate_no": cert.certificate_no, "valid_from": cert.valid_from,
                         "valid_until": cert.valid_until}, region_code=cert.product.origin_region_code)
    return cert


def reject(*, actor, cert_id, reason):
    """submitted → rejected, with the reason."""
    return _decide_with_reason(actor, cert_id, "reject", reason)


def revoke(*, actor, cert_id, reason):
    """approved → revoked, with the reason; the product stops being orderable at once."""
    return _decide_with_reason(actor, cert_id, "revoke", reason)


def _decide_with_reason(actor, cert_id, action, reason):
    cert, change = _decide(actor, cert_id, action, reason=reason)
    record_change(actor, f"certification.{action}", cert, change, after={"reason": reason},
                  region_code=cert.product.origin_region_code)
    return cert
