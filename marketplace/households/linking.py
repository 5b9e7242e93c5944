"""How a supplier links households: members (shares, 入股) and supply records (收购).

Only the supplier's own manager acts here; another organization's id is 404 (never 403).
A linked household must exist and lie in the supplier's county (``geography.codes.same_county``),
else a 422 naming ``household_id`` that says nothing about the household.
"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.audit.services import record
from marketplace.catalog.models import Product
from marketplace.core.errors import Conflict, NotFound, field_error
from marketplace.extensions import db
from marketplace.geography.codes import same_county
from marketplace.households.models import Household, Membership, SupplyRecord
from marketplace.households.protection import masked_household
from marketplace.organizations.models import Organization


def _already_member():
    return Conflict("the household is already a member; remove it first to change its shares",
                    errors={"household_id": ["already a member"]})


def own_supplier(actor, org_id) -> Organization:
    """The actor's own supplier organization; any other id is NotFound."""
    org = db.session.get(Organization, org_id) if actor.organization_id == org_id else None
    if org is None or not org.is_supplier:
        raise NotFound("organization not found")
    return org


def linkable_household(org, household_id) -> Household:
    """The household, if it exists and lies in the supplier's county; else 422 on ``household_id``."""
    household = db.session.get(Household, household_id)
    if household is None or not same_county(household.village_code, org.region_code):
        raise field_error("household_id", "no such household in the supplier's county")
    return household


def _member_view(membership) -> dict:
    return {"organization_id": membership.organization_id, "household_id": membership.household_id,
            "shares": membership.shares, "created_at": membership.created_at,
            "household": masked_household(membership.household)}


def add_member(*, actor, org_id, data) -> dict:
    """Record a household's shares in the supplier. Raises NotFound, 422 (household), 409 (already a member)."""
    org = own_supplier(actor, org_id)
    household = linkable_household(org, data["household_id"])
    taken = db.session.scalar(select(Membership.id).where(Membership.organization_id == org.id,
                                                          Membership.household_id == household.id))
    if taken:
        raise _already_member()
    membership = Membership(organization_id=org.id, household=household, shares=data["shares"])
    try:
        with db.session.begin_nested():  # a concurrent request may have added it since the check
            db.session.add(membership)
    except IntegrityError:
        raise _already_member() from None
    record(actor, "household.member_add", "organization", org.id,
           after={"household_id": household.id, "shares": membership.shares}, region_code=org.region_code)
    return _member_view(membership)


def list_members_query(*, actor, org_id):
    own_supplier(actor, org_id)
    return select(Membership).where(Membership.organization_id == org_id).order_by(Membership.household_id)


def member_views(memberships) -> list[dict]:
    return [_member_view(m) for m in memberships]


def remove_member(*, actor, org_id, household_id) -> None:
    """Remove a membership. Raises NotFound (other organization, or not a member)."""
    org = own_supplier(actor, org_id)
    membership = db.session.scalar(select(Membership).where(Membership.organization_id == org.id,
                                                            Membership.household_id == household_id))
    if membership is None:
        raise NotFound("membership not found")
    record(actor, "household.member_remove", "organization", org.id,
           before={"household_id": household_id, "shares": membership.shares}, region_code=org.region_code)
    db.session.delete(membership)
    db.session.flush()


def _supply_view(supply) -> dict:
    view = {k: getattr(supply, k) for k in ("id", "organization_id", "household_id", "product_id", "quantity",
                                            "unit", "amount_paid_fen", "supplied_on", "created_at")}
    view["household"] = masked_household(supply.household)
    return view


def add_supply_record(*, actor, org_id, data) -> dict:
    """Record produce bought from a household. The product must be the supplier's own (else 422
    on ``product_id``); the household as in :func:`linkable_household`. Raises NotFound, 422."""
    org = own_supplier(actor, org_id)
    household = linkable_household(org, data["household_id"])
    product = db.session.get(Product, data["product_id"])
    if product is None or product.supplier_id != org.id:
        raise field_error("product_id", "no such product of this supplier")
    supply = SupplyRecord(organization_id=org.id, household=household, product_id=product.id,
                          quantity=data["quantity"], unit=data["unit"].strip(),
                          amount_paid_fen=data["amount_paid_fen"], supplied_on=data["supplied_on"],
                          recorded_by_id=actor.id)
    db.session.add(supply)
    db.session.flush()
    record(actor, "household.supply_record", "supply_record", supply.id,
           after={k: v for k, v in _supply_view(supply).items() if k not in ("household", "created_at")},
           region_code=org.region_code)
    return _supply_view(supply)


def list_supply_records_query(*, actor, org_id, args):
    """The supplier's records, newest supply first, filtered by household, product and date range."""
    own_supplier(actor, org_id)
    stmt = select(SupplyRecord).where(SupplyRecord.organization_id == org_id)
    if args.get("household_id"):
        stmt = stmt.where(SupplyRecord.household_id == args["household_id"])
    if args.get("product_id"):
        stmt = stmt.where(SupplyRecord.product_id == args["product_id"])
    if args.get("from_"):
        stmt = stmt.where(SupplyRecord.supplied_on >= args["from_"])
    if args.get("to"):
        stmt = stmt.where(SupplyRecord.supplied_on <= args["to"])
    return stmt.order_by(SupplyRecord.supplied_on.desc(), SupplyRecord.id.desc())


def supply_views(records) -> list[dict]:
    return [_supply_view(s) for s in records]
