"""POST/GET/PATCH /households: scope, masking per role, validation, duplicates, audit."""
import pytest
from sqlalchemy import select, text

from marketplace.audit.models import AuditEvent
from marketplace.households.models import Household
from tests.factories import DEFAULT_VILLAGE
from tests.factories_households import synthetic_id_number
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("household_cipher")

OTHER_VILLAGE = "522701101001"  # another province
ID_NUMBER = "51178119800101001" + "8"


@pytest.fixture
def valid_id():
    from marketplace.households.id_numbers import id_check_char

    return ID_NUMBER[:17] + id_check_char(ID_NUMBER[:17])


@pytest.fixture
def body(make_region, valid_id):
    make_region(DEFAULT_VILLAGE)
    return {"village_code": DEFAULT_VILLAGE, "head_name": "张小三", "id_number": valid_id, "registry_no": "JD-0001",
            "members": 4, "status": "registered_poor", "baseline_income_per_capita_fen": 380000}


@pytest.fixture
def users(make_user, make_org):
    supplier = make_org(kind="cooperative")
    return {
        "admin": make_user("admin"),
        "county_admin": make_user("admin", region_scope=DEFAULT_VILLAGE[:6]),
        "other_admin": make_user("admin", region_scope=OTHER_VILLAGE[:6]),
        "auditor": make_user("auditor", region_scope=DEFAULT_VILLAGE[:4]),
        "supplier_manager": make_user("supplier_manager", org=supplier),
        "buyer_purchaser": make_user("buyer_purchaser", org=make_org(kind="canteen")),
        "buyer_approver": make_user("buyer_approver", org=make_org(kind="school")),
        "supplier": supplier,
    }


def test_create_household_returns_masked_id_and_stores_it_encrypted(db, api, users, body, valid_id):
    # when
    resp = api.post("/households", users["county_admin"], json=body)
    # then
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["id_number"] == valid_id[:4] + "*" * 10 + valid_id[-4:]
    assert data["head_name"] == "张小三"  # admin inside the scope
    assert valid_id not in resp.get_data(as_text=True)
    row = db.session.execute(text("SELECT * FROM households WHERE id = :id"), {"id": data["id"]}).mappings().one()
    raw = " ".join(str(v) for v in row.values())
    assert valid_id not in raw and "张小三" not in raw
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "household.create"))
    assert event.after["id_number"] == data["id_number"] and event.after["head_name"] == "张*三"
    assert valid_id not in str(event.after) and "张小三" not in str(event.after)


def test_create_household_lowercase_x_is_normalised(db, api, users, make_region):
    make_region(DEFAULT_VILLAGE)
    number = "11010519491231002X"
    body = {"village_code": DEFAULT_VILLAGE, "head_name": "李四", "id_number": number.lower(), "registry_no": "A1",
            "members": 1, "status": "edge"}
    assert api.post("/households", users["admin"], json=body).status_code == 201
    resp = api.post("/households", users["admin"], json={**body, "id_number": number})
    body409 = assert_problem(resp, 409, "id_number")
    assert number not in resp.get_data(as_text=True).upper()
    assert body409["errors"]["id_number"] == ["already registered"]


def test_create_household_duplicate_id_number_409_without_echo(api, users, body, valid_id, make_household):
    make_household(id_number=valid_id)
    resp = api.post("/households", users["admin"], json={**body, "head_name": "王五"})
    assert_problem(resp, 409, "id_number")
    text_ = resp.get_data(as_text=True)
    assert valid_id not in text_ and valid_id[-4:] not in text_ and "王五" not in text_


@pytest.mark.parametrize("role,status", [
    (None, 401), ("auditor", 403), ("supplier_manager", 403), ("buyer_purchaser", 403), ("buyer_approver", 403),
    ("other_admin", 404), ("county_admin", 201), ("admin", 201),
])
def test_create_household_role_matrix(api, users, body, role, status):
    resp = api.post("/households", users.get(role), json=body)
    assert resp.status_code == status, resp.get_json()


@pytest.mark.parametrize("field,value", [
    ("members", 0), ("members", 31), ("members", "3"), ("members", 3.5), ("members", True), ("members", None),
    ("id_number", "110105194912310021"), ("id_number", "11010519491231002"), ("id_number", "110105194913310029"),
    ("id_number", 110105194912310021), ("head_name", ""), ("head_name", "   "), ("head_name", "x" * 51),
    ("status", "rich"), ("village_code", "5117811010"), ("registry_no", ""), ("registry_no", "x" * 41),
    ("lifted_year", 2999), ("baseline_income_per_capita_fen", -1), ("baseline_income_per_capita_fen", 10**13),
    ("baseline_income_per_capita_fen", "100"), ("nickname", "x"),
])
def test_create_household_invalid_field_422_names_it(api, users, body, field, value):
    resp = api.post("/households", users["admin"], json={**body, field: value})
    problem = assert_problem(resp, 422, field)
    assert str(value) not in str(problem["errors"][field]) or value in (0, 31, True, None, "")


def test_create_household_missing_fields_422(api, users):
    problem = assert_problem(api.post("/households", users["admin"], json={}), 422)
    assert {"village_code", "head_name", "id_number", "registry_no", "members", "status"} <= set(problem["errors"])


def test_create_household_unknown_or_non_village_code_422(api, users, body, make_region):
    assert_problem(api.post("/households", users["admin"], json={**body, "village_code": "511781101999"}), 422,
                   "village_code")


def test_create_household_lifted_needs_year(api, users, body):
    assert_problem(api.post("/households", users["admin"], json={**body, "status": "lifted"}), 422, "lifted_year")
    resp = api.post("/households", users["admin"], json={**body, "status": "lifted", "lifted_year": 2019})
    assert resp.status_code == 201 and resp.get_json()["lifted_year"] == 2019


def test_list_households_masking_per_role(api, users, make_household, make_member, make_region):
    # given: two households in the default county, one elsewhere; the supplier is linked to one
    linked = make_household(head_name="张小三")
    make_household(head_name="李大四")
    make_household(village_code=OTHER_VILLAGE, head_name="赵六")
    make_member(users["supplier"], linked)
    seen = {}
    for role in ("admin", "county_admin", "other_admin", "auditor", "supplier_manager"):
        resp = api.get("/households", users[role])
        assert resp.status_code == 200, resp.get_json()
        seen[role] = resp.get_json()
        for item in seen[role]["items"]:
            assert "*" * 10 in item["id_number"]
        assert linked.plain_id_number not in str(seen[role])
    names = {role: sorted(i["head_name"] for i in page["items"]) for role, page in seen.items()}
    assert names["admin"] == ["张小三", "李大四", "赵六"]
    assert names["county_admin"] == ["张小三", "李大四"]
    assert names["other_admin"] == ["赵六"]
    assert names["auditor"] == ["张*三", "李*四"]
    assert names["supplier_manager"] == ["张*三"]
    assert "registry_no" not in seen["supplier_manager"]["items"][0]
    assert seen["auditor"]["items"][0]["registry_no"]
    assert seen["admin"]["total"] == 3


def test_list_households_supplier_sees_supply_linked_and_not_others(api, users, make_org, make_user, make_household,
                                                                    make_member):
    other_org = make_org()
    other_manager = make_user("supplier_manager", org=other_org)
    household = make_household()
    make_member(other_org, household)
    assert api.get("/households", users["supplier_manager"]).get_json()["total"] == 0
    assert api.get("/households", other_manager).get_json()["total"] == 1


@pytest.mark.parametrize("role,status", [
    (None, 401), ("buyer_purchaser", 403), ("buyer_approver", 403), ("auditor", 200), ("supplier_manager", 200),
    ("admin", 200),
])
def test_list_households_role_matrix(api, users, role, status):
    assert api.get("/households", users.get(role)).status_code == status


def test_list_households_filters_and_q(api, users, make_household):
    a = make_household(head_name="张小三", registry_no="R-1", status="monitored")
    make_household(head_name="张大", registry_no="R-2")
    make_household(head_name="李四", registry_no="R-3", village_code=DEFAULT_VILLAGE[:9] + "002")
    admin = users["admin"]

    def ids(query):
        resp = api.get("/households" + query, admin)
        assert resp.status_code == 200, resp.get_json()
        return [i["registry_no"] for i in resp.get_json()["items"]]

    assert ids("?q=R-1") == ["R-1"]
    assert ids("?q=R-") == []  # registry numbers match exactly
    assert ids("?q=张") == ["R-1", "R-2"]
    assert ids("?q=张*") == ["R-1", "R-2"]
    assert ids("?q=张小三") == ["R-1"]  # a full name matches exactly, by keyed hash
    assert ids("?q=张大三") == []  # same mask, other name
    assert ids("?status=monitored") == ["R-1"]
    assert ids(f"?village={DEFAULT_VILLAGE}") == ["R-1", "R-2"]
    assert ids("?page_size=1&page=2") == ["R-2"]
    assert_problem(api.get("/households?status=rich", admin), 422, "status")
    assert_problem(api.get("/households?village=abc", admin), 422, "village")
    assert a.id


@pytest.mark.parametrize("role", ["auditor", "supplier_manager"])
def test_non_admins_look_up_only_by_exact_id_number_or_household_code(api, users, make_household, make_member, role):
    # given: a household the role sees (linked to the supplier, inside the auditor's scope)
    household = make_household(head_name="张小三", registry_no="R-77")
    make_member(users["supplier"], household)

    def total(q):
        resp = api.get("/households", users[role], query_string={"q": q})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()["total"]

    # then: no name search of any form (the middle character could be guessed by keyed hash)
    assert [total(q) for q in ("张小三", "张", "张*", "张*三")] == [0, 0, 0, 0]
    assert total(household.plain_id_number) == 1
    assert total("R-77") == 1


def test_admins_find_a_household_by_its_exact_id_number(api, users, make_household):
    household = make_household(head_name="张小三")
    resp = api.get("/households", users["admin"], query_string={"q": household.plain_id_number})
    assert [i["id"] for i in resp.get_json()["items"]] == [household.id]


def test_get_household_scope_and_roles(api, users, make_household):
    household = make_household(head_name="张小三")
    path = f"/households/{household.id}"
    assert api.get(path).status_code == 401
    for role in ("auditor", "supplier_manager", "buyer_purchaser"):
        assert api.get(path, users[role]).status_code == 403
    assert_problem(api.get(path, users["other_admin"]), 404)
    assert_problem(api.get("/households/999999", users["admin"]), 404)
    resp = api.get(path, users["county_admin"])
    assert resp.status_code == 200 and resp.get_json()["head_name"] == "张小三"
    assert household.plain_id_number not in resp.get_data(as_text=True)


def test_update_household_changes_fields_and_audits_masked(db, api, users, make_household):
    household = make_household(head_name="张小三", members=3)
    resp = api.patch(f"/households/{household.id}", users["county_admin"],
                     json={"members": 5, "head_name": "张大三", "status": "lifted", "lifted_year": 2020})
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert (data["members"], data["head_name"], data["status"]) == (5, "张大三", "lifted")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "household.update"))
    assert event.before["members"] == 3 and event.after["members"] == 5
    assert event.after["head_name"] == "张*三" and "张大三" not in str(event.after) + str(event.before)
    assert db.session.get(Household, household.id).head_name_masked == "张*三"


@pytest.mark.parametrize("payload,field", [
    ({"id_number": "11010519491231002X"}, "id_number"), ({"village_code": DEFAULT_VILLAGE}, "village_code"),
    ({"members": 0}, "members"), ({"members": 31}, "members"), ({"members": "3"}, "members"),
    ({"members": 3.5}, "members"), ({"status": "lifted", "lifted_year": None}, "lifted_year"),
])
def test_update_household_invalid_422(api, users, make_household, payload, field):
    household = make_household()
    assert_problem(api.patch(f"/households/{household.id}", users["admin"], json=payload), 422, field)


@pytest.mark.parametrize("role,status", [
    (None, 401), ("auditor", 403), ("supplier_manager", 403), ("buyer_approver", 403), ("other_admin", 404),
    ("admin", 200),
])
def test_update_household_role_matrix(api, users, make_household, role, status):
    household = make_household()
    assert api.patch(f"/households/{household.id}", users.get(role), json={"members": 2}).status_code == status


def test_new_household_id_never_in_any_listing(api, users, body, valid_id):
    created = api.post("/households", users["admin"], json=body).get_json()
    assert synthetic_id_number(1) != valid_id
    for role in ("admin", "auditor"):
        assert valid_id not in api.get("/households", users[role]).get_data(as_text=True)
    assert valid_id not in api.get(f"/households/{created['id']}", users["admin"]).get_data(as_text=True)


def test_create_household_race_on_same_id_number_409(api, users, body, valid_id, make_household, monkeypatch):
    # given: another request inserted the number after this one's duplicate check
    from marketplace.households import protection

    make_household(id_number=valid_id)
    monkeypatch.setattr(protection, "find_by_id_number", lambda number: None)
    # when
    resp = api.post("/households", users["admin"], json=body)
    # then
    assert_problem(resp, 409, "id_number")
    assert valid_id not in resp.get_data(as_text=True)


@pytest.mark.parametrize("status", ["lifted", "monitored", "edge", "sudden_hardship", "registered_poor"])
def test_create_household_statuses_of_the_monitoring_system(api, users, body, status):
    """lifted 脱贫户; monitored kinds (脱贫不稳定户, 边缘易致贫户, 突发严重困难户); registered_poor for history."""
    resp = api.post("/households", users["admin"], json={**body, "status": status, "lifted_year": 2019})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["status"] == status
