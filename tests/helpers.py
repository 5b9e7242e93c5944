"""Assertions on the error contract."""


def assert_problem(resp, status, field=None):
    """``field`` is named exactly or as the parent of a dotted name (``images`` for ``images.0``)."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
    assert resp.mimetype == "application/problem+json", resp.mimetype
    if status == 401:
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    body = resp.get_json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    if field is not None:
        assert any(key == field or key.startswith(field + ".") for key in body.get("errors", {})), body
    return body
