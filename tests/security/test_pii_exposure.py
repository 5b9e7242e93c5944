"""PII: with the demo loaded, every GET endpoint answered to the non-admin roles and the public (and to a
county admin for households outside its county) never carries a demo household's ID number or name in
clear; logs (DEBUG, SQL echo included) and stdout/stderr over the whole run, seeding included, neither."""
import logging
import re
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product, Sku
from marketplace.certification.models import Certification
from marketplace.extensions import db as _db
from marketplace.geography.models import Region
from marketplace.households import protection
from marketplace.households.models import Household
from marketplace.ledger.models import LedgerAccount
from marketplace.orders.models import Fulfilment, Order
from marketplace.organizations.models import Organization
from marketplace.payments.models import Payment
from tests.conftest import PG_URL
from tests.security.conftest import World, build_demo_app, dispose

VIEWERS = ("auditor", "supplier_manager", "buyer_purchaser", "buyer_approver", "anonymous", "other_supplier",
           "other_buyer", "far_scoped_admin")
MAX_IDS = 40
REPORT_FORMATS = ("json", "csv")


@pytest.fixture
def pii_world(tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    app, output = build_demo_app(PG_URL or f"sqlite:///{tmp_path / 'pii.db'}", LOG_LEVEL="DEBUG")
    yield World(app, output)
    dispose(app)


def _ids(model, column="id"):
    return [v for v in _db.session.scalars(select(getattr(model, column)).order_by(getattr(model, column)))][:MAX_IDS]


def path_values(app):
    with app.app_context():
        return {
            "household_id": _ids(Household), "org_id": _ids(Organization), "order_id": _ids(Order),
            "product_id": _ids(Product), "cert_id": _ids(Certification), "fulfilment_id": _ids(Fulfilment),
            "payment_id": _ids(Payment), "sku_id": _ids(Sku), "account_id": _ids(LedgerAccount),
            "refund_id": list(range(1, 4)), "year": [date.today().year],
            "code": [c for c in _ids(Region, "code") if len(c) in (6, 12)],
            "region_code": [c for c in _ids(Region, "code") if len(c) in (6, 9, 12)],
            "key": ["evidence/demo-tea.pdf", "evidence/demo-mushroom.pdf"],
        }


def get_urls(app):
    values = path_values(app)
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        names = re.findall(r"<(?:[^:>]+:)?([a-z_]+)>", rule.rule)
        assert len(names) <= 1 or names == ["org_id", "household_id"] or names == ["org_id", "year"], rule.rule
        if not names:
            candidates = [rule.rule]
        else:
            name = names[0]
            assert name in values, f"no values for path parameter {name} of {rule.rule}: classify it"
            candidates = [re.sub(r"<(?:[^:>]+:)?" + name + ">", str(v), rule.rule) for v in values[name]]
        for url in candidates:
            if "/reports/" in url:
                urls += [f"{url}?format={f}&year={date.today().year}" for f in REPORT_FORMATS]
            elif "<" not in url:
                urls.append(url + ("?page_size=100" if not names else ""))
    return urls


def secrets_of(app, viewer, world):
    """The clear names and ID numbers ``viewer`` must never see (a county admin: households outside it)."""
    scope = world.user(viewer)["region_scope"] if viewer == "far_scoped_admin" else None
    with app.app_context():
        rows = _db.session.scalars(select(Household)).all()
        names, ids = set(), set()
        for household in rows:
            ids.add(protection.id_number(household))
            if scope is None or not household.village_code.startswith(scope):
                names.add(protection.head_name(household))
        return names, ids


def leaks(text, names, ids):
    found = [i for i in ids if i in text or i.lower() in text]
    found += [n for n in names if n in text]
    return found


def test_pii_never_in_responses_for_non_admins_nor_in_logs(pii_world, caplog, capfd):
    # given
    app = pii_world.app
    client = app.test_client()
    urls = get_urls(app)
    # when / then
    calls, problems = 0, []
    all_names, all_ids = secrets_of(app, "auditor", pii_world)
    assert len(all_ids) >= 15 and len(all_names) >= 15
    for viewer in VIEWERS:
        names, ids = secrets_of(app, viewer, pii_world)
        headers = pii_world.headers(viewer)
        for url in urls:
            with client.get(url, headers=headers) as resp:  # close streamed exports (their read transaction)
                body = resp.get_data(as_text=True)
            calls += 1
            assert resp.status_code < 500, (viewer, url, resp.status_code)
            found = leaks(body, names, ids)
            if found:
                problems.append((viewer, url, resp.status_code, len(found)))
    # a full-name search by an admin logs nothing in clear either
    for name in list(all_names)[:3]:
        client.get("/api/v1/households", query_string={"q": name}, headers=pii_world.headers("admin"))
    # the detector works: the national admin does see the head's name in clear (its own scope)
    household_url = next(u for u in urls if re.fullmatch(r"/api/v1/households/\d+", u))
    admin_body = client.get(household_url, headers=pii_world.headers("admin")).get_data(as_text=True)
    assert leaks(admin_body, all_names, set())
    assert problems == []
    captured = capfd.readouterr()
    with capfd.disabled():
        print(f"\nPII scan: {len(urls)} GET urls x {len(VIEWERS)} viewers = {calls} responses, "
              f"{len(caplog.records)} log records scanned")
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records) + captured.out + captured.err
    assert len(caplog.records) > 100  # the capture really ran (DEBUG, SQL echo)
    assert leaks(logs, all_names, all_ids) == []
