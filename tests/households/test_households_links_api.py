"""/organizations/{id}/members and /supply-records: own supplier only, same county, own product, masked."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEvent
from marketplace.households.models import Membership, SupplyRecord
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("household_cipher")

OTHER_COUNTY_VILLAGE = "511702101001"  # same city, another county


@pytest.fixture
def ctx(make_org, make_user, make_household, make_product):
    org = make_org(kind="cooperative")
    other = make_org(kind="cooperative")
    return {
        "org": org, "other": other,
        "manager": make_user("supplier_manager", org=org),
        "other_manager": make_user("supplier_manager", org=other),
        "admin": make_user("admin"), "auditor": make_user("auditor"),
        "buyer_purchaser": make_user("buyer_purchaser", org=make_org(kind="canteen")),
        "buyer_approver": make_user("buyer_approver", org=make_org(kind="school")),
        "household": make_household(head_name="张小三"),
        "far_household": make_household(village_code=OTHER_COUNTY_VILLAGE),
        "product": make_product(supplier=org, certified=False),
        "other_product": make_product(supplier=other, certified=False),
    }


def supply_body(ctx, **kw):
    body = {"household_id": ctx["household"].id, "product_id": ctx["product"].id, "quantity": 120, "unit": "kg",
            "amount_paid_fen": 360000, "supplied_on": date.today().isoformat()}
    body.update(kw)
    return body


def test_add_member_happy_path_masked_and_audited(db, api, ctx):
    org, household = ctx["org"], ctx["household"]
    resp = api.post(f"/organizations/{org.id}/members", ctx["manager"],
                    json={"household_id": household.id, "shares": 25})
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["shares"] == 25 and data["household"]["head_name"] == "张*三"
    assert data["household"]["id_number"] == household.id_number_masked
    assert household.plain_id_number not in resp.get_data(as_text=True)
    assert "张小三" not in resp.get_data(as_text=True)
    listed = api.get(f"/organizations/{org.id}/members", ctx["manager"]).get_json()
    assert listed["total"] == 1 and listed["items"][0]["household"]["head_name"] == "张*三"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "household.member_add"))


def test_add_member_twice_409(api, ctx, make_member):
    make_member(ctx["org"], ctx["household"])
    resp = api.post(f"/organizations/{ctx['org'].id}/members", ctx["manager"],
                    json={"household_id": ctx["household"].id, "shares": 5})
    assert_problem(resp, 409, "household_id")


@pytest.mark.parametrize("which", ["far_household", "missing"])
def test_add_member_household_outside_county_or_missing_422(api, ctx, which):
    household_id = ctx[which].id if which != "missing" else 999999
    resp = api.post(f"/organizations/{ctx['org'].id}/members", ctx["manager"],
                    json={"household_id": household_id, "shares": 5})
    assert_problem(resp, 422, "household_id")


@pytest.mark.parametrize("shares", [0, -1, 10**9 + 1, "5", 2.5, None])
def test_add_member_bad_shares_422(api, ctx, shares):
    resp = api.post(f"/organizations/{ctx['org'].id}/members", ctx["manager"],
                    json={"household_id": ctx["household"].id, "shares": shares})
    assert_problem(resp, 422, "shares")


@pytest.mark.parametrize("role,status", [
    (None, 401), ("admin", 403), ("auditor", 403), ("buyer_purchaser", 403), ("buyer_approver", 403),
    ("other_manager", 404), ("manager", 201),
])
def test_add_member_role_matrix(api, ctx, role, status):
    resp = api.post(f"/organizations/{ctx['org'].id}/members", ctx.get(role),
                    json={"household_id": ctx["household"].id, "shares": 5})
    assert resp.status_code == status, resp.get_json()


@pytest.mark.parametrize("role,status", [
    (None, 401), ("admin", 403), ("buyer_approver", 403), ("other_manager", 404), ("manager", 200),
])
def test_list_members_role_matrix(api, ctx, role, status):
    assert api.get(f"/organizations/{ctx['org'].id}/members", ctx.get(role)).status_code == status


def test_remove_member(db, api, ctx, make_member):
    make_member(ctx["org"], ctx["household"])
    path = f"/organizations/{ctx['org'].id}/members/{ctx['household'].id}"
    assert api.delete(path).status_code == 401
    assert api.delete(path, ctx["buyer_purchaser"]).status_code == 403
    assert_problem(api.delete(path, ctx["other_manager"]), 404)
    assert api.delete(path, ctx["manager"]).status_code == 204
    assert db.session.scalar(select(Membership)) is None
    assert_problem(api.delete(path, ctx["manager"]), 404)


def test_members_other_org_or_unknown_org_404(api, ctx):
    assert_problem(api.get(f"/organizations/{ctx['other'].id}/members", ctx["manager"]), 404)
    assert_problem(api.get("/organizations/999999/members", ctx["manager"]), 404)
    assert_problem(api.get(f"/organizations/{ctx['other'].id}/supply-records", ctx["manager"]), 404)


def test_add_supply_record_happy_path(db, api, ctx):
    resp = api.post(f"/organizations/{ctx['org'].id}/supply-records", ctx["manager"], json=supply_body(ctx))
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert (data["quantity"], data["unit"], data["amount_paid_fen"]) == (120, "kg", 360000)
    assert data["household"]["head_name"] == "张*三"
    assert ctx["household"].plain_id_number not in resp.get_data(as_text=True)
    record = db.session.scalar(select(SupplyRecord))
    assert record.recorded_by_id == ctx["manager"].id


@pytest.mark.parametrize("field,value", [
    ("quantity", 0), ("quantity", -5), ("quantity", 10**9 + 1), ("quantity", "10"), ("quantity", 1.5),
    ("amount_paid_fen", -1), ("amount_paid_fen", 10**12 + 1), ("amount_paid_fen", "100"),
    ("unit", ""), ("unit", "  "), ("unit", "x" * 21),
    ("supplied_on", (date.today() + timedelta(days=1)).isoformat()), ("supplied_on", "2024-02-30"),
    ("supplied_on", "yesterday"), ("household_id", "1"), ("product_id", None), ("extra", 1),
])
def test_add_supply_record_invalid_422(api, ctx, field, value):
    resp = api.post(f"/organizations/{ctx['org'].id}/supply-records", ctx["manager"],
                    json=supply_body(ctx, **{field: value}))
    assert_problem(resp, 422, field)


def test_add_supply_record_other_suppliers_product_or_far_household_422(api, ctx):
    path = f"/organizations/{ctx['org'].id}/supply-records"
    assert_problem(api.post(path, ctx["manager"], json=supply_body(ctx, product_id=ctx["other_product"].id)),
                   422, "product_id")
    assert_problem(api.post(path, ctx["manager"], json=supply_body(ctx, product_id=999999)), 422, "product_id")
    assert_problem(api.post(path, ctx["manager"], json=supply_body(ctx, household_id=ctx["far_household"].id)),
                   422, "household_id")


@pytest.mark.parametrize("role,status", [
    (None, 401), ("admin", 403), ("auditor", 403), ("buyer_purchaser", 403), ("other_manager", 404),
    ("manager", 201),
])
def test_add_supply_record_role_matrix(api, ctx, role, status):
    resp = api.post(f"/organizations/{ctx['org'].id}/supply-records", ctx.get(role), json=supply_body(ctx))
    assert resp.status_code == status, resp.get_json()


def test_list_supply_records_filters_and_masks(api, ctx, make_household, make_supply_record):
    org, product = ctx["org"], ctx["product"]
    other_household = make_household()
    make_supply_record(org, ctx["household"], product, supplied_on=date.today() - timedelta(days=40))
    make_supply_record(org, other_household, product, supplied_on=date.today())
    make_supply_record(ctx["other"], ctx["household"], ctx["other_product"])
    path = f"/organizations/{org.id}/supply-records"
    page = api.get(path, ctx["manager"]).get_json()
    assert page["total"] == 2
    assert [i["household_id"] for i in page["items"]] == [other_household.id, ctx["household"].id]
    for item in page["items"]:
        assert "*" in item["household"]["head_name"] and "*" * 10 in item["household"]["id_number"]
    since = (date.today() - timedelta(days=10)).isoformat()
    assert api.get(f"{path}?from={since}", ctx["manager"]).get_json()["total"] == 1
    assert api.get(f"{path}?household_id={ctx['household'].id}", ctx["manager"]).get_json()["total"] == 1
    assert api.get(path, ctx["buyer_approver"]).status_code == 403


def test_supplier_household_list_after_supply_only_shows_linked(api, ctx, make_supply_record):
    make_supply_record(ctx["org"], ctx["household"], ctx["product"])
    page = api.get("/households", ctx["manager"]).get_json()
    assert [i["id"] for i in page["items"]] == [ctx["household"].id]
    assert page["items"][0]["head_name"] == "张*三"
    assert api.get("/households", ctx["other_manager"]).get_json()["total"] == 0


def test_add_member_race_409(api, db, ctx, make_member, monkeypatch):
    # given: a membership that another request inserted after this one's "already a member?" check
    from sqlalchemy import event, func, select

    from marketplace.households import linking
    from marketplace.households.models import Membership

    make_member(ctx["org"], ctx["household"])
    real_scalar = linking.db.session.scalar
    bypassed, inserts = [], []

    def scalar(stmt, *args, **kwargs):
        described = getattr(stmt, "column_descriptions", None) or [{}]
        if len(described) == 1 and described[0].get("entity") is Membership and described[0].get("name") == "id":
            bypassed.append(stmt)  # the pre-check: answer "not a member", as the race would
            return None
        return real_scalar(stmt, *args, **kwargs)

    def listener(conn, cursor, statement, *rest):
        if statement.lstrip().upper().startswith("INSERT INTO HOUSEHOLD_MEMBERSHIPS"):
            inserts.append(statement)

    monkeypatch.setattr(linking.db.session, "scalar", scalar)
    event.listen(db.engine, "before_cursor_execute", listener)
    # when
    try:
        resp = api.post(f"/organizations/{ctx['org'].id}/members", ctx["manager"],
                        json={"household_id": ctx["household"].id, "shares": 5})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # then: the check was passed, the INSERT reached the database, its unique constraint answered 409
    assert_problem(resp, 409, "household_id")
    assert len(bypassed) == 1 and len(inserts) == 1
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Membership.id))) == 1
