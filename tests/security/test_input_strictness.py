"""Input strictness across every write endpoint, generated from the OpenAPI document: for every integer
field 1.5, "7", true and 10**30 (and for nested list items too), for every string field an over-long value,
unknown fields, malformed JSON, a JSON array, a body over MAX_CONTENT_LENGTH; negative and zero quantities;
page_size > 100 on every list. Answers are 400/413/422 naming the field, never a 500 nor a 2xx."""
import json
import re

import pytest

METHODS = ("post", "put", "patch", "delete")
#: Who may call each write (the first role require_roles lets through); anonymous endpoints use None.
ROLE_ORDER = ("admin", "supplier_manager", "buyer_approver")
BAD_INTEGERS = {"float": 1.5, "string": "7", "boolean": True, "huge": 10**30}
OVER_LONG = "长" * 20_000
#: Quantities: zero and negative are refused everywhere (API.md: "negative or zero quantities ... 422").
QUANTITY_FIELDS = ("quantity", "shares", "members", "price_fen", "min_order_qty")  # money may be 0 (amount_paid_fen)


@pytest.fixture(scope="module")
def spec(demo_world):
    return demo_world.app.test_client().get("/api/v1/openapi.json").get_json()


def resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def write_operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS or "requestBody" not in op:
                continue
            media = op["requestBody"]["content"].get("application/json")
            if media is None:
                continue
            yield method.upper(), path, resolve(spec, media["schema"]), bool(op.get("security"))


def concrete(path):
    return re.sub(r"\{([a-z_]+)\}", lambda m: "511781101201" if m.group(1) == "code" else "1", path)


def field_cases(spec, schema):
    """(description, body, field named in errors) for every property."""
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        prop = resolve(spec, prop)
        kind = prop.get("type")
        if kind == "integer":
            for label, value in BAD_INTEGERS.items():
                yield f"{name}={label}", {name: value}, name
        elif kind == "string" and "format" not in prop and "enum" not in prop:
            yield f"{name}=over-long", {name: OVER_LONG}, name
        elif kind == "array":
            items = resolve(spec, prop.get("items", {}))
            for sub, sub_prop in items.get("properties", {}).items():
                if resolve(spec, sub_prop).get("type") == "integer":
                    for label, value in BAD_INTEGERS.items():
                        yield f"{name}[].{sub}={label}", {name: [{sub: value}]}, name
            if items.get("type") == "string":
                yield f"{name}[]=over-long", {name: [OVER_LONG]}, name
        elif kind == "object":
            for sub, sub_prop in prop.get("properties", {}).items():
                if resolve(spec, sub_prop).get("type") == "string":
                    yield f"{name}.{sub}=over-long", {name: {sub: OVER_LONG}}, name
        if name in QUANTITY_FIELDS:
            for value in (0, -1):
                yield f"{name}={value}", {name: value}, name


def named(body, field):
    """The error body names the field (nested errors are flattened as ``lines.0.quantity``)."""
    return any(key == field or key.startswith(field + ".") for key in body.get("errors", {}))


def pick_role(client, world, method, url, secured):
    if not secured:
        return "anonymous"
    for role in ROLE_ORDER:
        resp = client.open(url, method=method, data="{", content_type="application/json",
                           headers=world.headers(role))
        if resp.status_code not in (401, 403):
            return role
    return None


def check(client, problems, op, label, expect, field=None, **kwargs):
    method, path, url, role, headers = op
    resp = client.open(url, method=method, headers=headers, **kwargs)
    body = resp.get_json(silent=True) or {}
    if resp.status_code not in expect:
        problems.append(f"{method} {path} as {role} [{label}]: {resp.status_code} {str(body)[:200]}")
    elif field is not None and resp.status_code == 422 and not named(body, field):
        problems.append(f"{method} {path} [{label}]: 422 without naming {field}: {str(body)[:200]}")


def test_every_write_endpoint_is_strict(demo_world, spec):
    client = demo_world.app.test_client()
    problems, sent, endpoints = [], 0, 0
    for method, path, schema, secured in write_operations(spec):
        url = concrete(path)
        role = pick_role(client, demo_world, method, url, secured)
        if role is None:
            problems.append(f"{method} {path}: no role passes its authorization")
            continue
        endpoints += 1
        op = (method, path, url, role, demo_world.headers(role))

        def send(label, expect, field=None, op=op, **kwargs):
            nonlocal sent
            sent += 1
            check(client, problems, op, label, expect, field, **kwargs)

        send("malformed JSON", {400}, data='{"a": ', content_type="application/json")
        send("JSON array", {400, 422}, json=[1, 2])
        send("not JSON", {400, 415, 422}, data="a=1", content_type="application/x-www-form-urlencoded")
        send("unknown field", {422}, field="is_admin", json={"is_admin": True})
        send("over MAX_CONTENT_LENGTH", {413}, data=b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}',
             content_type="application/json")
        for label, body, field in field_cases(spec, schema):
            send(label, {400, 422}, field=field, json=body)
    print(f"\ninput strictness: {endpoints} write endpoints, {sent} bad requests")
    assert endpoints >= 25
    assert problems == [], "\n".join(problems)


def test_nested_order_lines_quantities_are_strict(demo_world):
    client = demo_world.app.test_client()
    headers = demo_world.headers("buyer_approver")
    delivery = {"address": "食堂", "contact_name": "王师傅", "contact_phone": "13800000001",
                "requested_date": "2099-01-01"}
    for quantity in (0, -1, 1.5, "7", True, 10**30):
        resp = client.post("/api/v1/orders", headers=headers, json={
            "lines": [{"sku_id": 1, "quantity": quantity}], "delivery": delivery, "payment_method": "bank_transfer"})
        assert resp.status_code == 422 and named(resp.get_json(), "lines"), (quantity, resp.get_json())
    for bad in ([], [{"sku_id": 1, "quantity": 1}] * 1000, "x", None):
        resp = client.post("/api/v1/orders", headers=headers, json={
            "lines": bad, "delivery": delivery, "payment_method": "bank_transfer"})
        assert resp.status_code == 422, (str(bad)[:40], resp.status_code)
    refund = client.post("/api/v1/orders/1/refunds", headers=demo_world.headers("admin"),
                         json={"lines": [{"line_id": 1, "quantity": 0}], "reason": "坏了"})
    assert refund.status_code == 422


def test_page_size_over_100_and_bad_pages_are_422_on_every_list(demo_world, spec):
    client = demo_world.app.test_client()
    lists = [path for path, item in spec["paths"].items() if "get" in item
             and any(p.get("name") == "page_size" for p in item["get"].get("parameters", []))]
    assert len(lists) >= 10
    problems = []
    for path in lists:
        url = concrete(path)
        secured = bool(spec["paths"][path]["get"].get("security"))
        role = "admin" if secured else "anonymous"
        if "/supply-records" in path or "/members" in path:
            role = "supplier_manager"
            url = url.replace("/1/", f"/{demo_world.user('supplier_manager')['organization_id']}/")
        for query in ({"page_size": 101}, {"page_size": 0}, {"page": 0}, {"page": "x"}, {"page_size": 10**30}):
            resp = client.get(url, query_string=query, headers=demo_world.headers(role))
            if resp.status_code != 422:
                problems.append(f"GET {path} {json.dumps(query)} as {role}: {resp.status_code}")
    assert problems == [], "\n".join(problems)
