from marketplace.core.auth import current_user, require_roles
from marketplace.core.http import page_of, paginate
from marketplace.geography import bp, services
from marketplace.geography.schemas import (
    RegionDetailSchema,
    RegionFlagsSchema,
    RegionQuerySchema,
    RegionSchema,
    VillageCreateSchema,
)


@bp.get("/regions")
@bp.arguments(RegionQuerySchema, location="query")
@bp.response(200, page_of(RegionSchema))
def list_regions(args):
    """Children of a region (provinces without a parent); q matches names."""
    return paginate(services.list_query(args), args)


@bp.get("/regions/<string:code>")
@bp.response(200, RegionDetailSchema)
def get_region(code):
    """A region with its ancestors, province first."""
    region = services.get_region(code)
    region.ancestors = services.ancestors(region)
    return region


@bp.post("/regions")
@bp.created("get_region", code="code")
@require_roles("admin")
@bp.arguments(VillageCreateSchema)
@bp.response(201, RegionSchema)
def create_region(data):
    """Add a village under an existing township."""
    return services.add_village(actor=current_user(), data=data)


@bp.patch("/regions/<string:code>")
@require_roles("admin")
@bp.arguments(RegionFlagsSchema)
@bp.response(200, RegionSchema)
def update_region(data, code):
    """Set poverty flags and the lifted year."""
    return services.update_flags(actor=current_user(), code=code, data=data)
