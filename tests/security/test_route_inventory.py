"""Every /api/v1 route in app.url_map is in the OpenAPI document, and every documented operation is routed."""
import re

#: Routes of the documentation itself (not API operations).
DOC_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
METHODS = {"get", "post", "put", "patch", "delete"}


def routed_operations(app):
    ops = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in DOC_ENDPOINTS or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            ops.add((method.lower(), path))
    return ops


def documented_operations(spec):
    return {(method, path) for path, item in spec["paths"].items() for method in item if method in METHODS}


def test_route_inventory_url_map_and_openapi_match_both_ways(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    routed, documented = routed_operations(app), documented_operations(spec)
    api_routed = {op for op in routed if op[1].startswith("/api/v1/")}
    assert len(api_routed) >= 70
    assert routed - documented == set(), "routed but not documented"
    assert documented - routed == set(), "documented but not routed"


def test_every_documented_operation_has_a_summary_and_a_success_response(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            if not op.get("summary") or not any(code.startswith("2") for code in op.get("responses", {})):
                missing.append((method, path))
    assert missing == []
