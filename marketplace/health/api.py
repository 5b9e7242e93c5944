from marshmallow import Schema, fields, validate
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from marketplace.core.errors import ServiceUnavailable
from marketplace.extensions import db
from marketplace.health import bp


class StatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))


@bp.get("/healthz")
@bp.response(200, StatusSchema)
@bp.doc(operationId="get_liveness")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
@bp.response(200, StatusSchema)
@bp.alt_response(503, description="the database does not answer")
@bp.doc(operationId="get_readiness")
def readyz():
    """The database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        raise ServiceUnavailable("the database does not answer") from None
    return {"status": "ok"}
