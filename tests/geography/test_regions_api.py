"""Regions: listing, search, ancestors, villages added by admins, flags."""
import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEvent
from marketplace.geography.models import Region
from tests.helpers import assert_problem

VILLAGE = "511781101001"
TOWNSHIP = VILLAGE[:9]


@pytest.fixture
def sichuan(make_region):
    """四川省 → 达州市 → 万源市 → township → village, plus 北京市 and 成都市 锦江区."""
    make_region(VILLAGE)
    make_region("110101", name="东城区")
    make_region("510104", name="锦江区")
    return VILLAGE


def _new_village(code=TOWNSHIP + "222", parent=TOWNSHIP, **extra):
    return {"code": code, "name": "新村", "parent_code": parent, "poverty_village": True, **extra}


def test_list_regions_without_parent_returns_provinces(api, sichuan):
    resp = api.get("/regions")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"items", "page", "page_size", "total"}
    assert {r["code"] for r in body["items"]} == {"11", "51"}
    assert all(r["level"] == "province" for r in body["items"])
    assert body["total"] == 2


def test_list_regions_with_parent_returns_children(api, sichuan):
    body = api.get("/regions?parent=51").get_json()
    assert [r["code"] for r in body["items"]] == ["5101", "5117"]
    assert all(r["parent_code"] == "51" for r in body["items"])


def test_list_regions_q_matches_chinese_substring(api, sichuan, make_region):
    make_region("510105", name="青羊区")
    body = api.get("/regions?q=羊").get_json()
    assert [r["name"] for r in body["items"]] == ["青羊区"]
    assert api.get("/regions?q=不存在").get_json()["total"] == 0


def test_list_regions_q_treats_like_wildcards_literally(api, sichuan):
    assert api.get("/regions?q=%25").get_json()["total"] == 0
    assert api.get("/regions?q=_").get_json()["total"] == 0


def test_list_regions_level_filter(api, sichuan):
    body = api.get("/regions?level=county").get_json()
    assert {r["code"] for r in body["items"]} == {"110101", "510104", "511781"}


def test_list_regions_bad_query_422_naming_field(api):
    assert_problem(api.get("/regions?level=galaxy"), 422, field="level")
    assert_problem(api.get("/regions?parent=abc"), 422, field="parent")
    assert_problem(api.get("/regions?page_size=101"), 422, field="page_size")


def test_list_regions_paginates(api, sichuan):
    body = api.get("/regions?page=2&page_size=1").get_json()
    assert body["page"] == 2 and body["page_size"] == 1 and body["total"] == 2
    assert [r["code"] for r in body["items"]] == ["51"]


def test_get_region_has_ancestors_province_first(api, sichuan):
    resp = api.get(f"/regions/{VILLAGE}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["code"] == VILLAGE and body["level"] == "village"
    assert [a["code"] for a in body["ancestors"]] == ["51", "5117", "511781", TOWNSHIP]
    assert [a["level"] for a in body["ancestors"]] == ["province", "city", "county", "township"]


def test_get_region_province_has_no_ancestors(api, sichuan):
    assert api.get("/regions/51").get_json()["ancestors"] == []


def test_get_region_unknown_404(api):
    assert_problem(api.get("/regions/999999"), 404)


def test_create_region_village_under_township_201_audited(api, db, sichuan, make_user):
    # given
    admin = make_user("admin", region_scope="5117")
    # when
    resp = api.post("/regions", admin, json=_new_village())
    # then
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["code"] == TOWNSHIP + "222" and body["level"] == "village"
    assert body["parent_code"] == TOWNSHIP and body["poverty_village"] is True
    assert db.session.get(Region, TOWNSHIP + "222") is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "region.create"))
    assert event.actor_id == admin.id and event.region_code == TOWNSHIP + "222"
    assert [r["code"] for r in api.get(f"/regions?parent={TOWNSHIP}").get_json()["items"]] == [
        VILLAGE, TOWNSHIP + "222"]


@pytest.mark.parametrize("code", ["51178110100", "5117811010011", "51178110100a", ""])
def test_create_region_bad_code_length_422_naming_code(api, sichuan, make_user, code):
    admin = make_user("admin")
    assert_problem(api.post("/regions", admin, json=_new_village(code=code)), 422, field="code")


def test_create_region_parent_mismatch_422(api, sichuan, make_user):
    admin = make_user("admin")
    resp = api.post("/regions", admin, json=_new_village(code="511781102333"))
    assert_problem(resp, 422, field="parent_code")


def test_create_region_parent_township_missing_422(api, sichuan, make_user):
    admin = make_user("admin")
    resp = api.post("/regions", admin, json=_new_village(code="511781999001", parent="511781999"))
    assert_problem(resp, 422, field="parent_code")


def test_create_region_outside_admin_scope_404(api, db, sichuan, make_user):
    admin = make_user("admin", region_scope="110101")
    assert_problem(api.post("/regions", admin, json=_new_village()), 404)
    assert db.session.get(Region, TOWNSHIP + "222") is None


@pytest.mark.parametrize("role", ["auditor", "supplier_manager", "buyer_approver"])
def test_create_region_non_admin_403(api, sichuan, make_org, make_user, role):
    org = None if role == "auditor" else make_org("cooperative" if role == "supplier_manager" else "canteen")
    user = make_user(role, org=org)
    assert_problem(api.post("/regions", user, json=_new_village()), 403)


def test_create_region_without_token_401(api, sichuan):
    assert_problem(api.post("/regions", json=_new_village()), 401)


def test_create_region_duplicate_409(api, sichuan, make_user):
    admin = make_user("admin")
    assert_problem(api.post("/regions", admin, json=_new_village(code=VILLAGE)), 409)


def test_update_region_flags_200_audited(api, db, sichuan, make_user):
    admin = make_user("admin", region_scope="5117")
    resp = api.patch("/regions/511781", admin, json={"poverty_county": False, "lifted_year": 2019})
    assert resp.status_code == 200
    assert resp.get_json()["poverty_county"] is False and resp.get_json()["lifted_year"] == 2019
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "region.update"))
    assert event.before == {"poverty_county": True, "lifted_year": None}
    assert event.after == {"poverty_county": False, "lifted_year": 2019}
    assert event.entity_id == "511781" and event.actor_id == admin.id


def test_update_region_outside_scope_404(api, sichuan, make_user):
    admin = make_user("admin", region_scope="110101")
    assert_problem(api.patch("/regions/511781", admin, json={"lifted_year": 2019}), 404)


def test_update_region_unknown_404(api, make_user):
    assert_problem(api.patch("/regions/999999", make_user("admin"), json={"lifted_year": 2019}), 404)


@pytest.mark.parametrize("body,field", [({"lifted_year": 1900}, "lifted_year"),
                                        ({"lifted_year": "2019"}, "lifted_year"),
                                        ({"name": "x"}, "name"), ({"poverty_county": "maybe"}, "poverty_county")])
def test_update_region_invalid_422_naming_field(api, sichuan, make_user, body, field):
    assert_problem(api.patch("/regions/511781", make_user("admin"), json=body), 422, field=field)


def test_update_region_non_admin_403(api, sichuan, make_user):
    assert_problem(api.patch("/regions/511781", make_user("auditor"), json={"lifted_year": 2019}), 403)
