"""Request plumbing: the list body, query schemas (the commit is ``core.blueprint``'s)."""
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from marketplace.core.db import Base
from marketplace.extensions import db

MAX_PAGE_SIZE = 100


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, strict=False, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=20, strict=False, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class ModelSchema(Schema):
    """An output schema of mapped objects, read with plain ``getattr``.

    Marshmallow's default accessor first probes ``obj[key]`` (for dicts) before falling back to
    ``getattr``; for a mapped object that probe always misses, and on a list page it runs for
    every field of every item. Anything that is not a mapped object (dicts, view objects) and
    dotted attribute paths still go through marshmallow's accessor, so the output is the same.
    """

    def get_attribute(self, obj, attr, default):
        if isinstance(obj, Base) and "." not in attr:
            return getattr(obj, attr, default)
        return super().get_attribute(obj, attr, default)


_page_schemas = {}


def page_of(item_schema):
    """The contract's list body for an item schema: {items, page, page_size, total}."""
    name = item_schema.__name__.replace("Schema", "") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "page_size": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        })
    return _page_schemas[name]


def paginate(stmt, args, scalars=True):
    """Run one page of a select plus its count; returns the list body."""
    page, page_size = args.get("page", 1), args.get("page_size", 20)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt.limit(page_size).offset((page - 1) * page_size)
    result = db.session.execute(paged)
    items = result.scalars().all() if scalars else result.all()
    return {"items": items, "page": page, "page_size": page_size, "total": total}
