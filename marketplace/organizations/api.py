from marketplace.core.auth import STAFF_ROLES, current_user, require_roles, require_user
from marketplace.core.errors import field_error
from marketplace.core.http import page_of, paginate
from marketplace.organizations import bp, services
from marketplace.organizations.schemas import (
    OrganizationCreateSchema,
    OrganizationQuerySchema,
    OrganizationSchema,
    OrganizationUpdateSchema,
    TargetOutSchema,
    TargetSchema,
)


@bp.post("/organizations")
@bp.created("get_organization", org_id="id")
@bp.arguments(OrganizationCreateSchema)
@bp.response(201, OrganizationSchema)
def register_organization(data):
    """Register an organization and its manager user (starts pending)."""
    return services.register(data=data)


@bp.get("/organizations")
@require_roles(*STAFF_ROLES)
@bp.arguments(OrganizationQuerySchema, location="query")
@bp.response(200, page_of(OrganizationSchema))
def list_organizations(args):
    """Organizations inside the caller's region scope."""
    return paginate(services.list_query(actor=current_user(), args=args), args)


@bp.get("/organizations/<int:org_id>")
@require_user
@bp.response(200, OrganizationSchema)
def get_organization(org_id):
    """One organization (staff in scope, or its own members)."""
    return services.get_visible(current_user(), org_id)


@bp.patch("/organizations/<int:org_id>")
@require_roles("admin", "supplier_manager", "buyer_approver")
@bp.arguments(OrganizationUpdateSchema)
@bp.response(200, OrganizationSchema)
def update_organization(data, org_id):
    """Edit contact details and the buyer approval threshold."""
    return services.update(actor=current_user(), org_id=org_id, data=data)


@bp.post("/organizations/<int:org_id>/verify")
@require_roles("admin")
@bp.response(200, OrganizationSchema)
def verify_organization(org_id):
    """Verify an organization so it may list or order."""
    return services.change_status(actor=current_user(), org_id=org_id, action="verify")


@bp.post("/organizations/<int:org_id>/suspend")
@require_roles("admin")
@bp.response(200, OrganizationSchema)
def suspend_organization(org_id):
    """Suspend an organization."""
    return services.change_status(actor=current_user(), org_id=org_id, action="suspend")


@bp.put("/organizations/<int:org_id>/procurement-targets/<int:year>")
@require_roles("admin")
@bp.arguments(TargetSchema)
@bp.response(200, TargetOutSchema)
def set_procurement_target(data, org_id, year):
    """Set a buyer's procurement target for a year."""
    if not 2000 <= year <= 2100:
        raise field_error("year", "must be between 2000 and 2100")
    return services.set_target(actor=current_user(), org_id=org_id, year=year, target_fen=data["target_fen"])
