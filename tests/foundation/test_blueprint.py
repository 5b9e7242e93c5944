"""The project Blueprint: every domain uses it; strict JSON bodies without a global patch; the
auth and Idempotency-Key documentation; the request log sees every answer, a 429 included."""
import importlib
import json
import logging

import pytest
from flask_smorest.arguments import ArgumentsMixin

from marketplace import BLUEPRINTS
from marketplace.core.blueprint import Blueprint
from marketplace.core.body import JsonBodyParser

IDEMPOTENT_POSTS = ("/orders", "/orders/{order_id}/payments", "/orders/{order_id}/refunds")


@pytest.mark.parametrize("name", (*BLUEPRINTS, "health"))
def test_every_domain_uses_the_project_blueprint(name):
    assert isinstance(importlib.import_module(f"marketplace.{name}").bp, Blueprint)


def test_strict_parser_is_the_blueprints_not_a_global_patch(app):
    assert isinstance(Blueprint.ARGUMENTS_PARSER, JsonBodyParser)
    assert not isinstance(ArgumentsMixin.ARGUMENTS_PARSER, JsonBodyParser)


def test_openapi_security_only_on_routes_that_need_a_token(api):
    paths = api.get("/openapi.json").get_json()["paths"]
    assert paths["/api/v1/orders"]["post"]["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert "security" not in paths["/api/v1/public/disclosures/{region_code}"]["get"]


def test_openapi_documents_idempotency_key_on_the_three_posts_only(api):
    paths = api.get("/openapi.json").get_json()["paths"]
    for path in IDEMPOTENT_POSTS:
        (header,) = [p for p in paths[f"/api/v1{path}"]["post"]["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key" and header["required"] is False
    assert "parameters" not in paths["/api/v1/orders/{order_id}/cancel"]["post"]


def test_rate_limited_request_is_logged_with_its_request_id(api, app, make_user, caplog):
    user = make_user("admin")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    caplog.set_level(logging.INFO)
    for _ in range(limit + 1):
        resp = api.client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-password"},
                               headers={"X-Request-ID": "req-429"})
    assert resp.status_code == 429 and resp.headers["X-Request-ID"] == "req-429"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "marketplace.request"]
    assert lines[-1]["status"] == 429 and lines[-1]["request_id"] == "req-429"
