"""Certification workflow: submit, list, approve (numbering), reject, revoke; every decision audited."""
from datetime import date, timedelta

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.certification.services import is_orderable
from marketplace.core.clock import today_local
from tests.helpers import assert_problem

SUBMISSION = {"evidence_urls": ["https://files.example.cn/evidence-1.pdf"],
              "benefit_description": "合作社收购建档立卡户鲜叶，带动32户增收"}


@pytest.fixture
def owned(make_product, make_user):
    product = make_product(certified=False)
    return product, make_user(role="supplier_manager", org=product.supplier)


@pytest.fixture
def submitted(api, owned):
    product, owner = owned
    resp = api.post(f"/products/{product.id}/certifications", owner, json=SUBMISSION)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def window(days=365, start=None):
    start = start or today_local()
    return {"valid_from": start.isoformat(), "valid_until": (start + timedelta(days=days)).isoformat()}


def test_submit(submitted, owned):
    product, _ = owned
    assert submitted["status"] == "submitted" and submitted["product_id"] == product.id
    assert submitted["certificate_no"] is None


def test_submit_twice_while_pending_conflict(api, owned, submitted):
    product, owner = owned
    assert_problem(api.post(f"/products/{product.id}/certifications", owner, json=SUBMISSION), 409)


@pytest.mark.parametrize("change,field", [
    ({"evidence_urls": []}, "evidence_urls"), ({"evidence_urls": ["javascript:alert(1)"]}, "evidence_urls"),
    ({"evidence_urls": [f"https://example.cn/{i}" for i in range(11)]}, "evidence_urls"),
    ({"benefit_description": "太短"}, "benefit_description"),
    ({"benefit_description": "长" * 2001}, "benefit_description"), ({"status": "approved"}, "status"),
])
def test_submit_validation(api, owned, change, field):
    product, owner = owned
    assert_problem(api.post(f"/products/{product.id}/certifications", owner, json={**SUBMISSION, **change}), 422,
                   field)


@pytest.mark.parametrize("role,status", [(None, 401), ("admin", 403), ("buyer_purchaser", 403),
                                         ("other_supplier", 404)])
def test_submit_role_matrix(api, make_product, make_user, make_org, role, status):
    product = make_product(certified=False)
    user = None
    if role == "other_supplier":
        user = make_user(role="supplier_manager", org=make_org())
    elif role:
        user = make_user(role=role, org=make_org(kind="canteen") if role.startswith("buyer") else None)
    assert_problem(api.post(f"/products/{product.id}/certifications", user, json=SUBMISSION), status)


def test_approve_generates_number_and_makes_orderable(api, db, owned, submitted, make_user):
    product, _ = owned
    admin = make_user(role="admin", region_scope="5117")
    resp = api.post(f"/certifications/{submitted['id']}/approve", admin, json=window())
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "approved"
    assert body["certificate_no"] == f"FP-{product.origin_region_code[:6]}-{today_local().year}-00001"
    assert is_orderable(product)
    detail = api.get(f"/products/{product.id}").get_json()
    assert detail["certification"]["certificate_no"] == body["certificate_no"]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "certification.approve"))
    assert event.actor_id == admin.id and event.after["certificate_no"] == body["certificate_no"]


def test_generated_numbers_increase_per_county_and_year(api, make_product, make_user):
    admin = make_user(role="admin")
    numbers = []
    for _ in range(3):
        product = make_product(certified=False)
        owner = make_user(role="supplier_manager", org=product.supplier)
        cert = api.post(f"/products/{product.id}/certifications", owner, json=SUBMISSION).get_json()
        numbers.append(api.post(f"/certifications/{cert['id']}/approve", admin,
                                json=window(start=date(2025, 3, 1))).get_json()["certificate_no"])
    assert numbers == ["FP-511781-2025-00001", "FP-511781-2025-00002", "FP-511781-2025-00003"]


def test_approve_with_given_number_unique(api, owned, submitted, make_product, make_user):
    admin = make_user(role="admin")
    other = make_product(certified=False)
    owner = make_user(role="supplier_manager", org=other.supplier)
    second = api.post(f"/products/{other.id}/certifications", owner, json=SUBMISSION).get_json()
    assert api.post(f"/certifications/{submitted['id']}/approve", admin,
                    json={**window(), "certificate_no": "FP-CUSTOM-1"}).get_json()["certificate_no"] == "FP-CUSTOM-1"
    assert_problem(api.post(f"/certifications/{second['id']}/approve", admin,
                            json={**window(), "certificate_no": "FP-CUSTOM-1"}), 409)


@pytest.mark.parametrize("payload,field", [
    ({"valid_from": "2025-05-01", "valid_until": "2025-04-30"}, "valid_until"),
    ({"valid_from": "2025-05-01", "valid_until": "2028-05-02"}, "valid_until"),
    ({"valid_from": "2025-05-01"}, "valid_until"), ({"valid_from": "not-a-date", "valid_until": "2025-06-01"},
                                                    "valid_from"),
    ({"valid_from": "2025-05-01", "valid_until": "2025-06-01", "certificate_no": "有空格 x"}, "certificate_no"),
])
def test_approve_validation(api, submitted, make_user, payload, field):
    assert_problem(api.post(f"/certifications/{submitted['id']}/approve", make_user(role="admin"), json=payload), 422,
                   field)


def test_approve_exactly_three_years_allowed(api, submitted, make_user):
    resp = api.post(f"/certifications/{submitted['id']}/approve", make_user(role="admin"),
                    json={"valid_from": "2024-02-29", "valid_until": "2027-02-28"})
    assert resp.status_code == 200


@pytest.mark.parametrize("role,status", [(None, 401), ("auditor", 403), ("supplier_manager", 403),
                                         ("buyer_approver", 403), ("admin_out_of_scope", 404)])
def test_decisions_role_matrix(api, submitted, make_user, make_org, role, status):
    user = None
    if role == "admin_out_of_scope":
        user = make_user(role="admin", region_scope="52")
    elif role:
        user = make_user(role=role, org=make_org(kind="school") if role.startswith("buyer") else None)
    for action, payload in (("approve", window()), ("reject", {"reason": "材料不全"}), ("revoke", {"reason": "x"})):
        assert_problem(api.post(f"/certifications/{submitted['id']}/{action}", user, json=payload), status)


def test_reject_then_no_more_decisions(api, db, owned, submitted, make_user):
    product, owner = owned
    admin = make_user(role="admin")
    resp = api.post(f"/certifications/{submitted['id']}/reject", admin, json={"reason": "证明材料不全"})
    assert resp.status_code == 200 and resp.get_json()["reason"] == "证明材料不全"
    body = assert_problem(api.post(f"/certifications/{submitted['id']}/approve", admin, json=window()), 409)
    assert body["current_state"] == "rejected"
    assert_problem(api.post(f"/certifications/{submitted['id']}/revoke", admin, json={"reason": "x"}), 409)
    assert not is_orderable(product)
    # a new submission is possible after a rejection
    assert api.post(f"/products/{product.id}/certifications", owner, json=SUBMISSION).status_code == 201


def test_revoke_stops_orderability_at_once(api, db, owned, submitted, make_user):
    product, _ = owned
    admin = make_user(role="admin")
    body = assert_problem(api.post(f"/certifications/{submitted['id']}/revoke", admin, json={"reason": "x"}), 409)
    assert body["current_state"] == "submitted"
    api.post(f"/certifications/{submitted['id']}/approve", admin, json=window())
    assert api.get(f"/products/{product.id}").status_code == 200
    resp = api.post(f"/certifications/{submitted['id']}/revoke", admin, json={"reason": "发现虚假材料"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "revoked"
    assert not is_orderable(product)
    assert_problem(api.get(f"/products/{product.id}"), 404)
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.entity_type == "certification")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["certification.submit", "certification.approve", "certification.revoke"]


def test_reject_reason_required(api, submitted, make_user):
    assert_problem(api.post(f"/certifications/{submitted['id']}/reject", make_user(role="admin"), json={}), 422,
                   "reason")


def test_list_scoping(api, make_product, make_certification, make_user, make_org, make_region):
    make_region("520102001001", name="贵阳某村")
    mine = make_product(certified=False)
    make_certification(mine, status="submitted")
    theirs = make_product(certified=False, origin_region_code="520102001001")
    make_certification(theirs, status="approved")
    owner = make_user(role="supplier_manager", org=mine.supplier)

    def ids(user, query=""):
        resp = api.get(f"/certifications{query}", user)
        assert resp.status_code == 200, resp.get_json()
        return [c["product_id"] for c in resp.get_json()["items"]]

    assert ids(owner) == [mine.id]
    assert set(ids(make_user(role="admin"))) == {mine.id, theirs.id}
    assert ids(make_user(role="admin", region_scope="52")) == [theirs.id]
    assert ids(make_user(role="auditor"), "?status=submitted") == [mine.id]
    assert ids(make_user(role="admin"), "?region=5201") == [theirs.id]
    assert_problem(api.get("/certifications", make_user(role="buyer_purchaser", org=make_org(kind="canteen"))), 403)
    assert_problem(api.get("/certifications"), 401)
    assert_problem(api.get("/certifications?status=bogus", owner), 422, "status")


def test_get_one_certification_visibility(api, submitted, owned, make_user, make_org):
    _, owner = owned
    assert api.get(f"/certifications/{submitted['id']}", owner).status_code == 200
    other = make_user(role="supplier_manager", org=make_org())
    assert_problem(api.get(f"/certifications/{submitted['id']}", other), 404)
