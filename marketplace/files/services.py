"""Who may read a stored evidence file.

A file is served when a certification's evidence URLs point to it (``.../api/v1/files/<key>``):
to anyone when that certification is approved (a certified product's evidence is public), to
the product's own supplier_manager, and to staff whose scope holds the product's origin (they
review submitted evidence). Anything else, stored or not, is a 404.
"""
from sqlalchemy import String, cast, select

from marketplace.catalog.models import Product
from marketplace.certification.models import Certification
from marketplace.core.auth import STAFF_ROLES
from marketplace.core.errors import NotFound
from marketplace.core.scope import may_see
from marketplace.extensions import db
from marketplace.files.storage import file_storage, valid_key

ROUTE = "/api/v1/files/"


def file_url(base_url, key):
    """The absolute URL the app serves ``key`` at, e.g. for a certification's ``evidence_urls``."""
    return base_url.rstrip("/") + ROUTE + key


def _may_read(actor, certification, product):
    if certification.status == "approved":
        return True
    if actor is None:
        return False
    if actor.role == "supplier_manager":
        return actor.organization_id == product.supplier_id
    return actor.role in STAFF_ROLES and may_see(actor, product.origin_region_code)


def read_evidence(*, actor, key):
    """The stored evidence file ``key`` if ``actor`` (None = anonymous) may read it; else NotFound."""
    if not valid_key(key):
        raise NotFound("file not found")
    stmt = (select(Certification, Product).join(Product, Product.id == Certification.product_id)
            .where(cast(Certification.evidence_urls, String).contains(ROUTE + key, autoescape=True)))
    readable = any(_may_read(actor, cert, product) for cert, product in db.session.execute(stmt)
                   if any(url.endswith(ROUTE + key) for url in cert.evidence_urls or []))
    stored = file_storage().open(key) if readable else None
    if stored is None:
        raise NotFound("file not found")
    return stored
