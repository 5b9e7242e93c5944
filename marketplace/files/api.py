from flask import Response

from marketplace.core.auth import document_optional_security, optional_user
from marketplace.files import bp, services


@bp.get("/files/<path:key>")
@bp.response(200, content_type="application/pdf", description="the stored file")
@document_optional_security
def get_file(key):
    """A stored evidence file: public for certified products, else its supplier and staff in scope."""
    stored = services.read_evidence(actor=optional_user(), key=key)
    response = Response(stored.data, content_type=stored.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{key.rsplit("/", 1)[-1]}"'
    return response
