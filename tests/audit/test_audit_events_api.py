"""GET /audit-events: staff only, region-scoped, newest first, filterable."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from marketplace.audit.services import record
from marketplace.core.clock import today_local
from marketplace.core.db import utcnow
from tests.helpers import assert_problem


@pytest.fixture
def events(db, make_user):
    """Four events: two in 万源市 (5117), one in 成都市 (5101), one national; spread over days."""
    actor = make_user("admin")
    now = utcnow()
    rows = [("org.verify", "organization", 1, "511781", 3), ("org.verify", "organization", 2, "510104", 2),
            ("region.update", "region", "511781101001", "511781101001", 1), ("user.create", "user", 9, "", 0)]
    made = []
    for action, entity_type, entity_id, region, days_ago in rows:
        with time_machine.travel(now - timedelta(days=days_ago), tick=False):
            made.append(record(actor, action, entity_type, entity_id, after={"n": len(made)}, region_code=region))
            db.session.flush()
    db.session.commit()
    return actor, made


def _ids(resp):
    assert resp.status_code == 200, resp.get_json()
    return [e["id"] for e in resp.get_json()["items"]]


def test_list_audit_events_national_admin_newest_first(api, events):
    actor, made = events
    resp = api.get("/audit-events", actor)
    assert _ids(resp) == [e.id for e in reversed(made)]
    body = resp.get_json()
    assert body["total"] == 4 and body["page"] == 1
    first = body["items"][0]
    assert first["action"] == "user.create" and first["actor_id"] == actor.id and first["after"] == {"n": 3}


def test_list_audit_events_scoped_by_region_prefix(api, events, make_user):
    _, made = events
    auditor = make_user("auditor", region_scope="5117")
    assert _ids(api.get("/audit-events", auditor)) == [made[2].id, made[0].id]
    admin = make_user("admin", region_scope="5101")
    assert _ids(api.get("/audit-events", admin)) == [made[1].id]


@pytest.mark.parametrize("query,expected", [("entity_type=organization", [1, 0]), ("entity_id=2", [1]),
                                            ("action=region.update", [2]), ("action=nothing", [])])
def test_list_audit_events_filters(api, events, query, expected):
    actor, made = events
    assert _ids(api.get(f"/audit-events?{query}", actor)) == [made[i].id for i in expected]


def test_list_audit_events_actor_filter(api, events, make_user):
    actor, made = events
    other = make_user("admin")
    assert len(_ids(api.get(f"/audit-events?actor_id={actor.id}", actor))) == 4
    # make_user writes no event; the other admin acted on nothing
    assert _ids(api.get(f"/audit-events?actor_id={other.id}", actor)) == []


def test_list_audit_events_date_range(api, events):
    actor, made = events
    today = today_local()
    frm, to = (today - timedelta(days=2)).isoformat(), (today - timedelta(days=1)).isoformat()
    assert _ids(api.get(f"/audit-events?from={frm}&to={to}", actor)) == [made[2].id, made[1].id]
    assert _ids(api.get(f"/audit-events?from={today.isoformat()}", actor)) == [made[3].id]


def test_list_audit_events_paginates(api, events):
    actor, made = events
    body = api.get("/audit-events?page=2&page_size=3", actor).get_json()
    assert [e["id"] for e in body["items"]] == [made[0].id]
    assert body["total"] == 4 and body["page_size"] == 3


@pytest.mark.parametrize("query,field", [("from=yesterday", "from"), ("actor_id=x", "actor_id"),
                                         ("page_size=500", "page_size")])
def test_list_audit_events_bad_query_422(api, events, query, field):
    actor, _ = events
    assert_problem(api.get(f"/audit-events?{query}", actor), 422, field=field)


@pytest.mark.parametrize("role,kind", [("supplier_manager", "cooperative"), ("buyer_approver", "canteen"),
                                       ("buyer_purchaser", "canteen")])
def test_list_audit_events_org_roles_403(api, make_org, make_user, role, kind):
    assert_problem(api.get("/audit-events", make_user(role, org=make_org(kind))), 403)


def test_list_audit_events_without_token_401(api):
    assert_problem(api.get("/audit-events"), 401)


def test_audit_event_carries_request_id(api, db, make_user):
    admin = make_user("admin")
    api.post("/users", admin, json={"email": "r@example.cn", "password": "a-long-password", "name": "r",
                                    "role": "auditor"}, headers={"X-Request-ID": "req-audit-1"})
    body = api.get("/audit-events?action=user.create", admin).get_json()
    assert body["items"][0]["request_id"] == "req-audit-1"


def test_list_audit_events_dates_are_shanghai_days(api, db, make_user):
    # given: an event at 2026-03-01 17:00 UTC, which is 2026-03-02 01:00 in Shanghai
    actor = make_user("admin")
    with time_machine.travel(datetime(2026, 3, 1, 17, 0, tzinfo=UTC), tick=False):
        event = record(actor, "org.verify", "organization", 1, region_code="511781")
        db.session.flush()
    db.session.commit()
    # then: the from/to filters count Asia/Shanghai calendar days, like every other date filter
    assert _ids(api.get("/audit-events?from=2026-03-02&to=2026-03-02", actor)) == [event.id]
    assert _ids(api.get("/audit-events?to=2026-03-01", actor)) == []
    assert _ids(api.get("/audit-events?from=2026-03-03", actor)) == []
