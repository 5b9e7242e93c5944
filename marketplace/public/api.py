"""Public, no-login disclosure, cacheable behind a CDN (ETag + Cache-Control, 304 on If-None-Match)."""
import hashlib

from flask import Response, current_app, request

from marketplace.public import bp, services
from marketplace.public.schemas import DisclosureQuerySchema, DisclosureSchema

CACHE_CONTROL = "public, max-age=300"


def cached_json(data):
    """JSON with a strong ETag (hash of the body); 304 when the client already holds it."""
    body = current_app.json.dumps(data).encode()
    etag = hashlib.sha256(body).hexdigest()[:40]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, content_type="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/public/disclosures/<region_code>")
@bp.arguments(DisclosureQuerySchema, location="query")
@bp.response(200, DisclosureSchema)
@bp.alt_response(304, description="Not Modified: the If-None-Match ETag is current")
def get_disclosure(args, region_code):
    """Public disclosure of a village, township or county for a year (no login)."""
    data = services.disclosure(region_code=region_code, year=args.get("year"))
    return cached_json(DisclosureSchema().dump(data))
