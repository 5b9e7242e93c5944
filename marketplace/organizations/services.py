"""Organizations: registration, verification, thresholds and procurement targets."""
from sqlalchemy import select

from marketplace.accounts.services import new_user
from marketplace.audit.services import record, record_change, record_update
from marketplace.core.auth import STAFF_ROLES
from marketplace.core.errors import Conflict, Forbidden, NotFound, field_error
from marketplace.core.locks import lock
from marketplace.core.scope import in_scope_clause, may_see
from marketplace.core.transitions import transition
from marketplace.extensions import db
from marketplace.geography.models import Region
from marketplace.geography.services import check_formerly_poor
from marketplace.organizations.models import SUPPLIER_KINDS, Organization, ProcurementTarget
from marketplace.organizations.states import TRANSITIONS, OrganizationStatus


def register(*, data):
    """Anyone registers an organization; it starts pending with its manager user.

    A supplier lies in a formerly poor county (the county rule, 422 on ``region_code``); buyers anywhere.
    """
    region = db.session.get(Region, data["region_code"])
    if region is None:
        raise field_error("region_code", "no such region")
    if data["kind"] == "collective" and region.level != "village":
        raise field_error("region_code", "a village collective is registered at its village code")
    if data["kind"] in SUPPLIER_KINDS:
        check_formerly_poor(region.code, "region_code")
    if data["kind"] == "collective":
        check_one_collective(region)
    if db.session.scalar(select(Organization.id).where(Organization.uscc == data["uscc"])):
        raise Conflict("an organization with this USCC is already registered", errors={"uscc": ["already registered"]})
    manager = data["manager"]
    org = Organization(kind=data["kind"], name=data["name"], uscc=data["uscc"], region_code=region.code,
                       contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                       status=OrganizationStatus.PENDING)
    db.session.add(org)
    db.session.flush()
    role = "supplier_manager" if org.is_supplier else "buyer_approver"
    user = new_user(email=manager["email"], password=manager["password"], name=manager["name"], role=role,
                    organization=org)
    record(user, "organization.register", "organization", org.id,
           after={"kind": org.kind, "status": org.status, "uscc": org.uscc}, region_code=org.region_code)
    return org


def check_one_collective(region, org=None):
    """409 if the village already has a collective that is not suspended (pending counts): one
    collective per village receives its share. The village row is locked so two concurrent
    registrations cannot both pass (PostgreSQL)."""
    lock(region)
    other = db.session.scalar(select(Organization.id).where(
        Organization.kind == "collective", Organization.region_code == region.code,
        Organization.status != OrganizationStatus.SUSPENDED, Organization.id != (org.id if org else -1)))
    if other is not None:
        raise Conflict("this village already has a collective; it must be suspended first",
                       errors={"region_code": ["a collective is already registered for this village"]})


def get_visible(actor, org_id):
    """The organization if the actor may see it (staff in scope, or its own members); else 404."""
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound("organization not found")
    if actor.role in STAFF_ROLES and may_see(actor, org.region_code):
        return org
    if actor.organization_id == org.id:
        return org
    raise NotFound("organization not found")


def list_query(*, actor, args):
    stmt = select(Organization).where(in_scope_clause(Organization.region_code, actor.region_scope))
    if args.get("kind"):
        stmt = stmt.where(Organization.kind == args["kind"])
    if args.get("status"):
        stmt = stmt.where(Organization.status == args["status"])
    if args.get("region"):
        stmt = stmt.where(in_scope_clause(Organization.region_code, args["region"]))
    return stmt.order_by(Organization.id)


def update(*, actor, org_id, data):
    """Contact details; the approval threshold for buyers. Admins in scope or the org's manager;
    ``pay_after_delivery`` (buyers) by admins only (403)."""
    org = get_visible(actor, org_id)
    if "approval_threshold_fen" in data and not org.is_buyer:
        raise field_error("approval_threshold_fen", "only buyers have an approval threshold")
    if "pay_after_delivery" in data:
        if actor.role != "admin":
            raise Forbidden("only administrators set pay_after_delivery")
        if not org.is_buyer:
            raise field_error("pay_after_delivery", "only buyers pay after delivery")
    record_update(actor, "organization.update", org, data, region_code=org.region_code)
    return org


def change_status(*, actor, org_id, action):
    """verify: pending/suspended → verified; suspend: pending/verified → suspended."""
    org = get_visible(actor, org_id)
    if action == "verify" and org.kind == "collective":
        check_one_collective(db.session.get(Region, org.region_code), org)
    change = transition(org, TRANSITIONS, action)
    record_change(actor, f"organization.{action}", org, change, region_code=org.region_code)
    return org


def set_target(*, actor, org_id, year, target_fen):
    org = get_visible(actor, org_id)
    if not org.is_buyer:
        raise field_error("organization_id", "procurement targets are for buyer organizations")
    target = db.session.scalar(select(ProcurementTarget).where(ProcurementTarget.organization_id == org.id,
                                                               ProcurementTarget.year == year))
    before = target.target_fen if target else None
    if target is None:
        target = ProcurementTarget(organization_id=org.id, year=year, target_fen=target_fen)
        db.session.add(target)
    else:
        target.target_fen = target_fen
    db.session.flush()
    record(actor, "organization.target", "organization", org.id, before={"year": year, "target_fen": before},
           after={"year": year, "target_fen": target_fen}, region_code=org.region_code)
    return target
