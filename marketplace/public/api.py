"""Public, no-login disclosure, cacheable behind a CDN (ETag + Cache-Control, 304 on If-None-Match)."""
from marketplace.core.caching import public_cache
from marketplace.public import bp, services
from marketplace.public.schemas import DisclosureQuerySchema, DisclosureSchema


@bp.get("/public/disclosures/<region_code>")
@public_cache(bp)
@bp.arguments(DisclosureQuerySchema, location="query")
@bp.response(200, DisclosureSchema)
def get_disclosure(args, region_code):
    """Public disclosure of a village, township or county for a year (no login)."""
    return services.disclosure(region_code=region_code, year=args.get("year"))
