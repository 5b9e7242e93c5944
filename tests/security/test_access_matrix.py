"""Access-control matrix generated from app.url_map: every /api/v1 endpoint x every role x own/foreign
object against the demo data, each request run inside a transaction rolled back afterwards (so a write in
one cell never changes another). Outcomes: "ok" (authorization passed: 2xx, or a 400/409/422 from the
business rules behind it), 401, 403, 404. EXPECT is keyed by endpoint; an endpoint missing from it fails
the test, so a new endpoint must be classified here."""
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product, Sku
from marketplace.certification.models import Certification
from marketplace.extensions import db as _db
from marketplace.households.models import Household, Membership, SupplyRecord
from marketplace.ledger.models import LedgerAccount
from marketplace.orders.models import Fulfilment, Order
from marketplace.organizations.uscc import uscc_check_char
from marketplace.payments.models import Payment, Refund
from marketplace.seed.demo import ORDER_NOTE
from tests.factories_households import synthetic_id_number

ROLES = ("admin", "auditor", "supplier_manager", "buyer_purchaser", "buyer_approver", "anonymous")
SIDES = ("own", "foreign")

# --- expectations ---------------------------------------------------------------------------------------------
# Per endpoint: role -> "own/foreign" outcomes (one value = the same for both). Shorthands for role groups:
ANY = {r: "ok" for r in ROLES}
USERS = {**{r: "ok" for r in ROLES}, "anonymous": "401"}


def roles(default, **overrides):
    """Every role ``default`` except the overrides; anonymous 401 unless overridden."""
    table = {r: default for r in ROLES}
    table["anonymous"] = "401"
    table.update(overrides)
    return table


STAFF_READ = roles("403", admin="ok", auditor="ok")
ADMIN_WRITE = roles("403", admin="ok")
OWN_SUPPLIER_WRITE = roles("403", supplier_manager="ok/404")

EXPECT = {
    # health and auth
    "health.healthz": ANY, "health.readyz": ANY,
    "accounts.create_token": {r: "401|429" for r in ROLES},  # wrong password (then the login rate limit)
    "accounts.refresh_token": {r: "401" for r in ROLES},  # a made-up refresh token
    "accounts.logout": USERS, "accounts.get_me": USERS,
    "accounts.create_user": roles("403", admin="ok", buyer_approver="ok/404", buyer_purchaser="403",
                                  supplier_manager="ok/404"),
    # account lifecycle (issue 15): own = the canteen's purchaser, foreign = the hospital's buyer
    "accounts.deactivate_user": roles("403", admin="ok", buyer_approver="ok/404", supplier_manager="404"),
    "accounts.reactivate_user": roles("403", admin="ok", buyer_approver="ok/404", supplier_manager="404"),
    "accounts.issue_password_reset": ADMIN_WRITE,
    "accounts.change_password": roles("403"),  # the matrix sends a wrong current password
    "accounts.reset_password": {r: "401|429" for r in ROLES},  # a made-up reset token (then the rate limit)
    # regions
    "geography.list_regions": ANY, "geography.get_region": ANY,
    "geography.create_region": ADMIN_WRITE, "geography.update_region": ADMIN_WRITE,
    # organizations
    "organizations.register_organization": ANY,
    "organizations.list_organizations": STAFF_READ,
    "organizations.get_organization": roles("ok/404", admin="ok", auditor="ok"),
    "organizations.update_organization": roles("403", admin="ok", supplier_manager="ok/404",
                                                buyer_approver="ok/404"),
    "organizations.verify_organization": ADMIN_WRITE, "organizations.suspend_organization": ADMIN_WRITE,
    "organizations.set_procurement_target": ADMIN_WRITE,
    # households
    "households.create_household": ADMIN_WRITE,
    "households.list_households": roles("403", admin="ok", auditor="ok", supplier_manager="ok"),
    "households.get_household": ADMIN_WRITE,  # API.md: GET /households/{id} is the admin's
    "households.update_household": ADMIN_WRITE,
    "households.add_member": OWN_SUPPLIER_WRITE, "households.list_members": OWN_SUPPLIER_WRITE,
    "households.remove_member": OWN_SUPPLIER_WRITE,
    "households.add_supply_record": OWN_SUPPLIER_WRITE, "households.list_supply_records": OWN_SUPPLIER_WRITE,
    "ledger.get_household_income": STAFF_READ,
    # catalog and certification
    "catalog.list_categories": ANY, "catalog.list_products": ANY, "catalog.get_product": ANY,
    "catalog.create_product": roles("403", supplier_manager="ok"),
    "catalog.update_product": OWN_SUPPLIER_WRITE, "catalog.archive_product": OWN_SUPPLIER_WRITE,
    "catalog.publish_product": OWN_SUPPLIER_WRITE, "catalog.unpublish_product": OWN_SUPPLIER_WRITE,
    "catalog.create_sku": OWN_SUPPLIER_WRITE, "catalog.update_sku": OWN_SUPPLIER_WRITE,
    "catalog.adjust_stock": OWN_SUPPLIER_WRITE, "catalog.set_attribution_scheme": OWN_SUPPLIER_WRITE,
    # auditors are read-only staff: they read schemes and certifications as admins do (API.md names admins)
    "catalog.get_attribution_scheme": roles("403", admin="ok", auditor="ok", supplier_manager="ok/404"),
    "certification.submit_certification": OWN_SUPPLIER_WRITE,
    "certification.list_certifications": roles("403", admin="ok", auditor="ok", supplier_manager="ok"),
    "certification.get_certification": roles("403", admin="ok", auditor="ok", supplier_manager="ok/404"),
    "certification.approve_certification": ADMIN_WRITE, "certification.reject_certification": ADMIN_WRITE,
    "certification.revoke_certification": ADMIN_WRITE,
    # orders and fulfilment
    "orders.create_order": roles("403", buyer_purchaser="ok", buyer_approver="ok"),
    "orders.list_orders": USERS,
    "orders.get_order": roles("ok/404", admin="ok", auditor="ok"),
    "orders.approve_order": roles("403", buyer_approver="ok/404"),
    "orders.cancel_order": roles("403", admin="ok", buyer_purchaser="ok/404", buyer_approver="ok/404"),
    "orders.list_fulfilments": USERS,
    "orders.get_fulfilment": roles("ok/404", admin="ok", auditor="ok"),
    "orders.confirm_fulfilment": OWN_SUPPLIER_WRITE, "orders.ship_fulfilment": OWN_SUPPLIER_WRITE,
    "orders.deliver_fulfilment": OWN_SUPPLIER_WRITE,
    "orders.accept_fulfilment": roles("403", buyer_purchaser="ok/404", buyer_approver="ok/404"),
    # payments and ledger
    "payments.create_payment": roles("403", buyer_purchaser="ok/404", buyer_approver="ok/404"),
    "payments.list_payments": roles("ok/404", admin="ok", auditor="ok"),
    "payments.list_refunds": roles("ok/404", admin="ok", auditor="ok"),
    "payments.confirm_transfer": ADMIN_WRITE,
    "payments.create_refund": roles("403", admin="ok", supplier_manager="ok/404"),
    "payments.mark_refund_executed": ADMIN_WRITE,
    "payments.receive_stripe_webhook": {r: "400" for r in ROLES},  # unsigned: refused for everyone
    "ledger.get_order_attribution": roles("ok/404", admin="ok", auditor="ok"),
    "ledger.list_ledger_entries": STAFF_READ, "ledger.get_ledger_account": STAFF_READ,
    # reports, public, audit
    "reports.get_sales_report": STAFF_READ, "reports.get_beneficiaries_report": STAFF_READ,
    "reports.get_income_bands_report": STAFF_READ, "reports.get_procurement_report": STAFF_READ,
    "public.get_disclosure": ANY,
    "files.get_file": ANY,  # the evidence of certified products is public
    "audit.list_audit_events": STAFF_READ,
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def expected(endpoint, role, side):
    value = EXPECT[endpoint][role]
    own, _, foreign = value.partition("/")
    return set((own if side == "own" or not foreign else foreign).split("|"))


def outcome(status):
    if status in (401, 403, 404, 429):
        return str(status)
    if status >= 500:
        return f"5xx({status})"
    if status in (400,):
        return "400"
    return "ok"  # 2xx/3xx, or 409/422/429 from business rules behind the authorization


# --- the world: own and foreign objects -----------------------------------------------------------------------

class Objects:
    """Ids of the objects on each side. "own" is the canteen buyer's / the tea supplier's; "foreign" belongs
    to other organizations (the hospital's order of mushroom and wood-ear, the wood-ear company's products)."""

    def __init__(self, world):
        users = {k: world.user(k) for k in ("supplier_manager", "buyer_purchaser", "other_supplier",
                                             "other_buyer")}
        self.users = (users["buyer_purchaser"]["id"], users["other_buyer"]["id"])
        with world.app.app_context():
            s = _db.session
            tea_org, canteen = users["supplier_manager"]["organization_id"], users["buyer_purchaser"]["organization_id"]
            woodear_org = users["other_supplier"]["organization_id"]
            own_order = s.scalar(select(Order).where(Order.note == ORDER_NOTE + "canteen-01"))
            foreign_order = s.scalar(select(Order).where(Order.note == ORDER_NOTE + "hospital-01"))
            own_product = s.scalar(select(Product).where(Product.supplier_id == tea_org).order_by(Product.id))
            foreign_product = s.scalar(select(Product).where(Product.supplier_id == woodear_org).order_by(Product.id))
            linked = set(s.scalars(select(Membership.household_id).where(Membership.organization_id == tea_org)))
            linked |= set(s.scalars(select(SupplyRecord.household_id).where(SupplyRecord.organization_id == tea_org)))
            foreign_household = s.scalar(select(Household).where(Household.id.not_in(linked))
                                         .where(Household.village_code.startswith("2204")).order_by(Household.id))

            def fulfilment(order, supplier_id=None):
                q = select(Fulfilment).where(Fulfilment.order_id == order.id)
                if supplier_id:
                    q = q.where(Fulfilment.supplier_id == supplier_id)
                return s.scalar(q.order_by(Fulfilment.id))

            def payment(order):
                return s.scalar(select(Payment).where(Payment.order_id == order.id))

            refund = s.scalar(select(Refund).order_by(Refund.id))
            if not s.scalar(select(Membership.id).where(Membership.organization_id == tea_org,
                                                        Membership.household_id == min(linked))):
                s.add(Membership(organization_id=tea_org, household_id=min(linked), shares=10))
                s.commit()
            self.ids = {
                "org_id": (canteen, woodear_org),
                "supplier_org_id": (tea_org, woodear_org),
                "order_id": (own_order.id, foreign_order.id),
                "fulfilment_id": (fulfilment(own_order, tea_org).id, fulfilment(foreign_order).id),
                "product_id": (own_product.id, foreign_product.id),
                "sku_id": (s.scalar(select(Sku.id).where(Sku.product_id == own_product.id)),
                           s.scalar(select(Sku.id).where(Sku.product_id == foreign_product.id))),
                "cert_id": (s.scalar(select(Certification.id).where(Certification.product_id == own_product.id)),
                            s.scalar(select(Certification.id).where(Certification.product_id == foreign_product.id))),
                "household_id": (min(linked), foreign_household.id),
                "payment_id": (payment(own_order).id, payment(foreign_order).id),
                "refund_id": (refund.id, refund.id),
                "account_id": tuple(s.scalars(select(LedgerAccount.id).order_by(LedgerAccount.id)).all()[:2]),
                "user_id": self.users,
                "code": ("511781101201", "220422101201"),
                "region_code": ("511781101201", "220422101201"),
                "year": (date.today().year, date.today().year),
                "key": ("evidence/demo-tea.pdf", "evidence/demo-woodear.pdf"),
            }
            self.own_line = own_order.lines[0].id
            self.foreign_line = foreign_order.lines[0].id
            self.own_sku = self.ids["sku_id"][0]


#: endpoints whose org_id is a supplier organization (the tea cooperative on the own side)
SUPPLIER_ORG_ENDPOINTS = {"households.add_member", "households.list_members", "households.remove_member",
                          "households.add_supply_record", "households.list_supply_records"}
_n = iter(range(1, 10**6))


def body_for(endpoint, objects, side, org_for_role):
    i = 0 if side == "own" else 1
    today = date.today()
    n = next(_n)
    bodies = {
        "accounts.create_token": {"email": "nobody@demo.cn", "password": "wrong-password-1"},
        "accounts.refresh_token": {"refresh_token": "not-a-real-refresh-token"},
        "accounts.change_password": {"current_password": "wrong-password-1", "new_password": "matrix-password-2"},
        "accounts.reset_password": {"reset_token": "not-a-real-reset-token", "new_password": "matrix-password-2"},
        "accounts.create_user": {"email": f"matrix{n}@demo.cn", "password": "matrix-password-1", "name": "新用户",
                                 "role": "buyer_purchaser" if org_for_role[1] == "buyer" else "supplier_manager",
                                 "organization_id": org_for_role[0][i]},
        "geography.create_region": {"code": f"511781101{900 + n % 99:03d}", "name": "新村",
                                    "parent_code": "511781101", "poverty_village": True},
        "geography.update_region": {"poverty_village": True},
        "organizations.register_organization": {
            "kind": "canteen", "name": f"矩阵食堂{n}", "uscc": (lambda b: b + uscc_check_char(b))(f"9151170{n:010d}"),
            "region_code": "511702", "contact_name": "张三", "contact_phone": "13800000000",
            "manager": {"email": f"matrixm{n}@demo.cn", "password": "matrix-password-1", "name": "经理"}},
        "organizations.update_organization": {"contact_name": "李四"},
        "organizations.set_procurement_target": {"target_fen": 100000},
        "households.create_household": {"village_code": "511781101201", "head_name": "测试户",
                                        "id_number": synthetic_id_number(500000 + n, "511781"),
                                        "registry_no": f"JD-M-{n}", "members": 3, "status": "registered_poor"},
        "households.update_household": {"members": 4},
        "households.add_member": {"household_id": objects.ids["household_id"][1], "shares": 5},
        "households.add_supply_record": {"household_id": objects.ids["household_id"][0],
                                         "product_id": objects.ids["product_id"][0], "quantity": 10, "unit": "公斤",
                                         "amount_paid_fen": 1000, "supplied_on": today.isoformat()},
        "certification.submit_certification": {"evidence_urls": ["https://example.cn/e.pdf"],
                                               "benefit_description": "带动建档立卡户增收的说明文字"},
        "certification.approve_certification": {"valid_from": today.isoformat(),
                                                "valid_until": (today + timedelta(days=365)).isoformat()},
        "certification.reject_certification": {"reason": "材料不全"},
        "certification.revoke_certification": {"reason": "核查不符"},
        "catalog.create_product": {"name": f"矩阵产品{n}", "category": "tea", "origin_region_code": "511781102201"},
        "catalog.update_product": {"name": f"改名{n}"},
        "catalog.create_sku": {"name": "规格", "unit": "袋", "price_fen": 1000, "stock": 10},
        "catalog.update_sku": {"price_fen": 1200},
        "catalog.adjust_stock": {"delta": 1, "reason": "盘点"},
        "catalog.set_attribution_scheme": {"households_by_supply_bp": 5000, "households_by_shares_bp": 0,
                                           "collective_bp": 1000, "supplier_bp": 4000, "supply_lookback_days": 365},
        "orders.create_order": {"lines": [{"sku_id": objects.own_sku, "quantity": 1}],
                                "delivery": {"address": "食堂", "contact_name": "王师傅",
                                             "contact_phone": "13800000001",
                                             "requested_date": (today + timedelta(days=3)).isoformat()},
                                "payment_method": "bank_transfer"},
        "orders.cancel_order": {"reason": "不要了"},
        "orders.ship_fulfilment": {"carrier": "顺丰", "tracking_no": "SF0001"},
        "payments.confirm_transfer": {"amount_fen": 100, "bank_reference": "B-1", "received_on": today.isoformat()},
        "payments.create_refund": {"lines": [{"line_id": objects.own_line if side == "own" else objects.foreign_line,
                                              "quantity": 1}], "reason": "坏了"},
        "payments.receive_stripe_webhook": {"id": "evt_x", "type": "payment_intent.succeeded"},
    }
    return bodies.get(endpoint)


def url_for_rule(rule, endpoint, objects, side, role):
    i = 0 if side == "own" else 1

    def fill(match):
        name = match.group(1)
        supplier_side = endpoint in SUPPLIER_ORG_ENDPOINTS or role == "supplier_manager"
        key = "supplier_org_id" if name == "org_id" and supplier_side else name
        return str(objects.ids[key][i])
    return re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", fill, rule.rule)


@contextmanager
def rolled_back(app):
    """Every session of the requests inside joins one outer transaction (as savepoints); rolled back after."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        factory = _db.session.session_factory
        saved = dict(factory.kw)
        factory.configure(join_transaction_mode="create_savepoint")
        engines[None] = connection
        try:
            yield
        finally:
            engines[None] = engine
            factory.kw.clear()
            factory.kw.update(saved)
            _db.session.remove()
            outer.rollback()
            connection.close()


def cells(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods))):
        if rule.endpoint in ("static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.fixture(scope="module")
def matrix(demo_world):
    """Run every cell once; returns {(endpoint, method, role, side): (status, outcome)}."""
    app, objects = demo_world.app, Objects(demo_world)
    client = app.test_client()
    headers = {role: demo_world.headers(role) for role in ROLES}
    org_for_role = {"buyer_approver": ((objects.ids["org_id"][0], objects.ids["org_id"][1]), "buyer"),
                    "supplier_manager": (objects.ids["supplier_org_id"], "supplier")}
    results = {}
    for rule, method in cells(app):
        has_params = "<" in rule.rule
        for role in ROLES:
            for side in (SIDES if has_params or rule.endpoint == "accounts.create_user" else ("own",)):
                org = org_for_role.get(role, (objects.ids["org_id"], "buyer"))
                body = body_for(rule.endpoint, objects, side, org)
                url = url_for_rule(rule, rule.endpoint, objects, side, role)
                with rolled_back(app):
                    with client.open(url, method=method, json=body, headers=headers[role]) as resp:
                        resp.get_data()
                results[(rule.endpoint, method, role, side)] = (resp.status_code, outcome(resp.status_code))
    return results


def test_every_endpoint_is_classified(demo_world):
    missing = sorted({rule.endpoint for rule, _ in cells(demo_world.app)} - set(EXPECT))
    assert missing == [], "classify these endpoints in EXPECT"


def test_access_matrix_every_endpoint_role_and_side(matrix):
    wrong = []
    for (endpoint, method, role, side), (status, got) in sorted(matrix.items()):
        if endpoint not in EXPECT:
            continue
        want = expected(endpoint, role, side)
        if got not in want:
            wrong.append(f"{method} {endpoint} as {role} on {side}: got {status} ({got}), expected {want}")
    print(f"\naccess matrix: {len(matrix)} cells")
    print("\n".join(wrong))
    assert wrong == [], "\n".join(wrong)


def test_auditor_gets_403_on_every_write(matrix):
    writes = {(e, m, s): v for (e, m, r, s), v in matrix.items() if r == "auditor" and m in WRITE_METHODS
              and e not in ("accounts.create_token", "accounts.refresh_token", "accounts.logout",
                            "accounts.reset_password", "organizations.register_organization",
                            "payments.receive_stripe_webhook")}
    assert len(writes) > 40
    assert {k: v for k, v in writes.items() if v[0] != 403} == {}


def test_no_cell_is_a_server_error(matrix):
    assert {k: v for k, v in matrix.items() if v[0] >= 500} == {}
