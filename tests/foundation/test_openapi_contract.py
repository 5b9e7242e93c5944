"""The served OpenAPI document as a contract: valid, and every operation named, described and typed."""
import pytest
from openapi_spec_validator import validate

METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def document(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method in set(item) & METHODS:
            yield f"{method.upper()} {path}", item[method]


def _resolve(document, node):
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = document["components"][section][name]
    return node


def _untyped_properties(document, schema, where, seen):
    """Names of output properties without a type (following refs, items, nested objects)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _untyped_properties(document, _resolve(document, schema), name, seen)
    found = []
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            found += _untyped_properties(document, sub, where, seen)
    if "items" in schema:
        found += _untyped_properties(document, schema["items"], where, seen)
    for name, prop in schema.get("properties", {}).items():
        if not {"type", "$ref", "allOf", "oneOf", "anyOf"} & set(prop):
            found.append(f"{where}.{name}")
        found += _untyped_properties(document, prop, f"{where}.{name}", seen)
    return found


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_operation_has_a_unique_verb_noun_operation_id_tags_and_summary(document):
    ids = {}
    for name, operation in _operations(document):
        op_id = operation.get("operationId")
        assert op_id and "_" in op_id and op_id == op_id.lower(), name
        assert op_id not in ids, (op_id, name, ids.get(op_id))
        ids[op_id] = name
        assert operation.get("tags") and operation.get("summary"), name
    assert ids["list_products"] == "GET /api/v1/products"
    assert ids["create_order"] == "POST /api/v1/orders"


def test_every_response_is_described_and_errors_are_problem_json(document):
    for name, operation in _operations(document):
        for status, response in operation["responses"].items():
            response = _resolve(document, response)
            assert response.get("description"), (name, status)
            if status[0] in "45":
                assert set(response.get("content", {})) <= {"application/problem+json"}, (name, status)


def test_secured_operations_document_401_and_role_checked_ones_403(document):
    unauthorized = _resolve(document, {"$ref": "#/components/responses/UNAUTHORIZED"})
    assert "WWW-Authenticate" in unauthorized["headers"]
    secured = 0
    for name, operation in _operations(document):
        security = operation.get("security")
        if security and {} not in security:
            secured += 1
            assert "401" in operation["responses"], name
        if "{" in name:
            assert "404" in operation["responses"], name
    assert secured > 50
    assert "403" in dict(_operations(document))["POST /api/v1/orders"]["responses"]


def test_optional_auth_is_declared_as_an_optional_alternative(document):
    products = document["paths"]["/api/v1/products"]["get"]
    assert products["security"] == [{}, {"bearerAuth": []}]


def test_every_output_property_is_typed(document):
    untyped, seen = [], set()
    for _name, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                for media in _resolve(document, response).get("content", {}).values():
                    if "schema" in media:
                        untyped += _untyped_properties(document, media["schema"], status, seen)
    assert untyped == []


def test_idempotency_key_is_documented_where_honoured(document):
    ops = dict(_operations(document))
    params = [p["name"] for p in ops["POST /api/v1/orders"].get("parameters", [])]
    assert "Idempotency-Key" in params
