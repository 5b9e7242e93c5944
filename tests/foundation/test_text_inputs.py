"""Text inputs (issue 15): control characters, bidirectional overrides, Unicode digits, JSON
nesting and integer length, request ids. Each was a 500 (PostgreSQL refuses NUL) or let through."""
import json

import pytest
from sqlalchemy import select

from marketplace.organizations.models import Organization
from tests.factories import DEFAULT_VILLAGE, make_uscc
from tests.helpers import assert_problem


def registration(n, **extra):
    body = {"kind": "cooperative", "name": f"合作社 {n}", "uscc": make_uscc(800_000 + n),
            "region_code": DEFAULT_VILLAGE[:6], "contact_name": "王五", "contact_phone": "13800000000",
            "manager": {"email": f"text{n}@example.cn", "password": "a-long-password", "name": "王经理"}}
    body.update(extra)
    return body


def raw_post(api, path, text):
    return api.client.post(f"/api/v1{path}", data=text.encode("utf-8", "surrogatepass"),
                           content_type="application/json")


def test_nul_in_a_query_string_is_422_naming_it(api):
    assert_problem(api.get("/products", query_string={"q": "\x00"}), 422, field="q")


def test_nul_in_a_path_parameter_is_422(api):
    assert api.get("/regions/51%00").status_code == 422
    assert api.get("/public/disclosures/51%00").status_code == 422


@pytest.mark.parametrize("field,value", [("name", "合作\x00社"), ("contact_name", "王\x07五"),
                                         ("contact_phone", "138\x0000000000"), ("uscc", "\x1b")])
def test_control_characters_in_a_body_are_422_naming_the_field(api, make_region, field, value):
    make_region(DEFAULT_VILLAGE)
    assert_problem(api.post("/organizations", json=registration(1, **{field: value})), 422, field=field)


def test_control_characters_in_a_nested_field_name_the_dotted_field(api, make_region):
    make_region(DEFAULT_VILLAGE)
    body = registration(2)
    body["manager"]["password"] = "a-long-\x00password"
    assert_problem(api.post("/organizations", json=body), 422, field="manager.password")


def test_a_lone_surrogate_is_422(api, make_region):
    make_region(DEFAULT_VILLAGE)
    text = json.dumps(registration(3), ensure_ascii=False).replace("合作社 3", "\\ud800")
    assert_problem(raw_post(api, "/organizations", text), 422, field="name")


@pytest.mark.parametrize("override", ["\u202e", "\u202a", "\u2066", "\u2069", "\n"])
def test_names_reject_bidirectional_overrides(api, make_region, override):
    make_region(DEFAULT_VILLAGE)
    resp = api.post("/organizations", json=registration(4, name=f"合作社{override}cba"))
    assert_problem(resp, 422, field="name")


def test_names_are_nfkc_normalized_and_trimmed(api, db, make_region):
    make_region(DEFAULT_VILLAGE)
    resp = api.post("/organizations", json=registration(5, name=" ＡＢＣ合作社１号 "))
    assert resp.status_code == 201, resp.get_json()
    stored = db.session.scalar(select(Organization.name).where(Organization.id == resp.get_json()["id"]))
    assert stored == "ABC合作社1号"


def test_unicode_digits_do_not_pass_a_code_pattern(api, make_user):
    admin = make_user("admin")
    resp = api.get("/reports/sales", admin, query_string={"region": "５１", "format": "csv"})
    assert_problem(resp, 422, field="region")
    assert_problem(api.get("/households", admin, query_string={"village": "٥١"}), 422, field="village")


@pytest.mark.parametrize("depth", [33, 5000])
def test_deeply_nested_json_is_400(api, make_region, depth):
    make_region(DEFAULT_VILLAGE)
    text = json.dumps(registration(6))[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    assert raw_post(api, "/organizations", text).status_code == 400


def test_nesting_within_the_limit_is_parsed(api, make_region):
    make_region(DEFAULT_VILLAGE)
    text = json.dumps(registration(7))[:-1] + ', "extra": ' + "[" * 20 + "]" * 20 + "}"
    assert_problem(raw_post(api, "/organizations", text), 422, field="extra")  # an unknown field, not a 400


@pytest.mark.parametrize("digits", [41, 4000, 5000])
def test_integer_literals_of_many_digits_are_400(api, make_region, digits):
    make_region(DEFAULT_VILLAGE)
    text = json.dumps(registration(8))[:-1] + ', "extra": ' + "9" * digits + "}"
    assert raw_post(api, "/organizations", text).status_code == 400


@pytest.mark.parametrize("sent,kept", [("req-1.A_b", True), ("x" * 64, True), ("x" * 65, False),
                                       ("a b", False), ("ａｂｃ", False), ("id;drop", False)])
def test_request_id_is_kept_only_when_1_to_64_safe_characters(api, sent, kept):
    echoed = api.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (echoed == sent) is kept
    assert len(echoed) <= 64
