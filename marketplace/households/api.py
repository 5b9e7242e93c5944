from marketplace.core.auth import STAFF_ROLES, current_user, require_roles
from marketplace.core.http import PageQuerySchema, page_of, paginate
from marketplace.households import bp, linking, services
from marketplace.households.schemas import (
    HouseholdCreateSchema,
    HouseholdQuerySchema,
    HouseholdSchema,
    HouseholdUpdateSchema,
    MembershipCreateSchema,
    MembershipSchema,
    SupplyRecordCreateSchema,
    SupplyRecordQuerySchema,
    SupplyRecordSchema,
)


@bp.post("/households")
@bp.created("get_household", household_id="id")
@require_roles("admin")
@bp.arguments(HouseholdCreateSchema)
@bp.response(201, HouseholdSchema)
def create_household(data):
    """Register a household (ID number encrypted; returned masked)."""
    user = current_user()
    return services.visible_view(user, services.create_household(actor=user, data=data))


@bp.get("/households")
@require_roles(*STAFF_ROLES, "supplier_manager")
@bp.arguments(HouseholdQuerySchema, location="query")
@bp.response(200, page_of(HouseholdSchema))
def list_households(args):
    """Households in the caller's scope (suppliers: only their linked households, masked)."""
    user = current_user()
    page = paginate(services.list_query(actor=user, args=args), args)
    page["items"] = [services.visible_view(user, h) for h in page["items"]]
    return page


@bp.get("/households/<int:household_id>")
@require_roles("admin")
@bp.response(200, HouseholdSchema)
def get_household(household_id):
    """One household inside the admin's scope."""
    user = current_user()
    return services.visible_view(user, services.get_scoped_household(user, household_id))


@bp.patch("/households/<int:household_id>")
@require_roles("admin")
@bp.arguments(HouseholdUpdateSchema)
@bp.response(200, HouseholdSchema)
def update_household(data, household_id):
    """Edit a household (the ID number and village are immutable)."""
    user = current_user()
    return services.visible_view(user, services.update_household(actor=user, household_id=household_id, data=data))


@bp.post("/organizations/<int:org_id>/members")
@require_roles("supplier_manager")
@bp.arguments(MembershipCreateSchema)
@bp.response(201, MembershipSchema)
def add_member(data, org_id):
    """Record a household's shares in the supplier."""
    return linking.add_member(actor=current_user(), org_id=org_id, data=data)


@bp.get("/organizations/<int:org_id>/members")
@require_roles("supplier_manager")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, page_of(MembershipSchema))
def list_members(args, org_id):
    """The supplier's member households (masked)."""
    page = paginate(linking.list_members_query(actor=current_user(), org_id=org_id), args)
    page["items"] = linking.member_views(page["items"])
    return page


@bp.delete("/organizations/<int:org_id>/members/<int:household_id>")
@require_roles("supplier_manager")
@bp.response(204)
def remove_member(org_id, household_id):
    """Remove a household's membership."""
    linking.remove_member(actor=current_user(), org_id=org_id, household_id=household_id)


@bp.post("/organizations/<int:org_id>/supply-records")
@require_roles("supplier_manager")
@bp.arguments(SupplyRecordCreateSchema)
@bp.response(201, SupplyRecordSchema)
def add_supply_record(data, org_id):
    """Record produce the supplier bought from a household."""
    return linking.add_supply_record(actor=current_user(), org_id=org_id, data=data)


@bp.get("/organizations/<int:org_id>/supply-records")
@require_roles("supplier_manager")
@bp.arguments(SupplyRecordQuerySchema, location="query")
@bp.response(200, page_of(SupplyRecordSchema))
def list_supply_records(args, org_id):
    """The supplier's supply records (households masked)."""
    page = paginate(linking.list_supply_records_query(actor=current_user(), org_id=org_id, args=args), args)
    page["items"] = linking.supply_views(page["items"])
    return page
