"""More error sources reaching the contract body: errors raised in services and at commit."""
import json
import logging

import pytest
from marshmallow import ValidationError

from marketplace.core.blueprint import Blueprint
from marketplace.core.errors import Forbidden, InvalidTransition, field_error
from marketplace.extensions import db
from marketplace.geography.models import Region
from tests.helpers import assert_problem


@pytest.fixture
def probe(app):
    """An app with routes that fail in the ways services and commits fail."""
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/validation")
    def raise_validation():
        raise ValidationError({"quantity": ["must be at least 1"]})

    @bp.get("/probe/validation-schema")
    def raise_schema_validation():
        raise ValidationError("the lines do not add up")

    @bp.get("/probe/forbidden")
    def raise_forbidden():
        raise Forbidden("not for you")

    @bp.get("/probe/field")
    def raise_field():
        raise field_error("code", "must be 12 digits")

    @bp.get("/probe/transition")
    def raise_transition():
        raise InvalidTransition("order", "shipped", "cancel")

    @bp.post("/probe/commit-conflict")
    def commit_conflict():
        db.session.add(Region(code="51", name="again", level="province"))
        return {"ok": True}

    app.register_blueprint(bp)
    return app.test_client()


def test_validation_error_raised_in_service_is_422_contract(probe):
    resp = probe.get("/probe/validation")
    body = assert_problem(resp, 422, field="quantity")
    assert body["errors"] == {"quantity": ["must be at least 1"]}
    assert body["title"] == "Unprocessable Entity" and "quantity" in body["detail"]
    assert resp.content_type == "application/problem+json"


def test_validation_error_without_field_is_422_under_schema(probe):
    body = assert_problem(probe.get("/probe/validation-schema"), 422)
    assert body["errors"] == {"_schema": ["the lines do not add up"]}


def test_api_error_subclass_gives_its_status_and_detail(probe):
    body = assert_problem(probe.get("/probe/forbidden"), 403)
    assert body == {"status": 403, "title": "Forbidden", "detail": "not for you"}


def test_field_error_names_field(probe):
    body = assert_problem(probe.get("/probe/field"), 422, field="code")
    assert body["errors"]["code"] == ["must be 12 digits"]


def test_invalid_transition_is_409_with_current_state(probe):
    body = assert_problem(probe.get("/probe/transition"), 409)
    assert body["current_state"] == "shipped" and "cancel" in body["detail"]


def test_commit_conflict_is_409_contract_with_request_id_and_nothing_saved(probe, db, make_region, caplog):
    # given
    make_region("51")
    caplog.set_level(logging.INFO)
    # when
    resp = probe.post("/probe/commit-conflict", headers={"X-Request-ID": "req-409"})
    # then
    assert_problem(resp, 409)
    assert resp.headers["X-Request-ID"] == "req-409"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert db.session.get(Region, "51").name != "again"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "marketplace.request"]
    assert [line["status"] for line in lines] == [409]


def test_wrong_method_on_api_route_is_405_with_allow(probe):
    resp = probe.delete("/api/v1/me")
    assert_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_json_body_that_is_not_an_object_is_422(api):
    resp = api.post("/auth/token", json=["a", "b"])
    assert_problem(resp, 422)
