"""record_change: the one "change, then write an audit event" helper."""
from marketplace.audit.models import AuditEvent
from marketplace.audit.services import record_change, record_update
from marketplace.core.transitions import transition
from marketplace.organizations.states import TRANSITIONS


def test_a_state_change_is_recorded_with_status_first_and_the_extras(db, make_org, make_user):
    admin, org = make_user("admin"), make_org(status="pending", region_code="511781101001")

    change = transition(org, TRANSITIONS, "suspend")
    record_change(admin, "organization.suspend", org, change, after={"reason": "late"}, region_code=org.region_code)
    db.session.commit()

    event = db.session.query(AuditEvent).filter_by(action="organization.suspend").one()
    assert (event.actor_id, event.entity_type, event.entity_id, event.region_code) == (
        admin.id, "organization", str(org.id), "511781101001")
    assert event.before == {"status": "pending"}
    assert event.after == {"status": "suspended", "reason": "late"}


def test_a_change_without_a_state_keeps_the_given_before_and_after(db, make_org):
    org = make_org()

    event = record_change(None, "organization.update", org, before={"name": "a"}, after={"name": "b"})
    db.session.commit()

    assert (event.actor_id, event.before, event.after, event.region_code) == (None, {"name": "a"}, {"name": "b"}, "")


def test_a_field_edit_is_applied_flushed_and_recorded_with_the_old_values(db, make_org, make_user):
    admin, org = make_user("admin"), make_org(name="旧名")

    before = record_update(admin, "organization.update", org, {"name": "新名"}, region_code=lambda o: o.region_code)
    db.session.commit()

    event = db.session.query(AuditEvent).filter_by(action="organization.update").one()
    assert before == {"name": "旧名"} and db.session.get(type(org), org.id).name == "新名"
    assert (event.before, event.after, event.region_code) == ({"name": "旧名"}, {"name": "新名"}, org.region_code)
