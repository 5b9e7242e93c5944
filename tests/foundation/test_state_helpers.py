"""core.transitions (conditional UPDATE from allowed states, 409 with current_state), core.locks
(row locks in ascending id order) and core.db.check_one_of (the "one of" CHECK constraints)."""
import pytest
from sqlalchemy import event, update
from sqlalchemy.exc import IntegrityError

from marketplace.core.db import check_one_of
from marketplace.core.errors import InvalidTransition
from marketplace.core.locks import lock, lock_rows
from marketplace.core.transitions import Change, entity_name, transition
from marketplace.orders.models import Order
from marketplace.organizations.models import Organization
from marketplace.organizations.states import TRANSITIONS
from marketplace.payments.models import Payment, Refund


def _set_status_behind_the_session(db, org, status):
    """Another transaction's committed change: the row moves, the loaded object does not."""
    db.session.execute(update(Organization).where(Organization.id == org.id).values(status=status)
                       .execution_options(synchronize_session=False))


@pytest.fixture
def statements(db):
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def test_transition_moves_the_row_and_reports_before_and_after(db, make_org):
    org = make_org(status="suspended")

    change = transition(org, TRANSITIONS, "verify")

    assert change == Change(before="suspended", after="verified")
    assert org.status == "verified"  # the object reads the new row
    db.session.commit()
    assert db.session.get(Organization, org.id).status == "verified"


def test_transition_from_a_state_the_table_forbids_is_409_with_the_current_state(db, make_org):
    org = make_org(status="verified")

    with pytest.raises(InvalidTransition) as raised:
        transition(org, TRANSITIONS, "verify")

    assert raised.value.status == 409
    assert raised.value.body()["current_state"] == "verified"
    assert raised.value.body()["detail"] == "cannot verify a organization in state verified"


def test_transition_decides_on_the_row_not_the_loaded_object(db, make_org):
    # given: the object was loaded pending, then someone else verified the row
    org = make_org(status="pending")
    _set_status_behind_the_session(db, org, "verified")

    # when: we try to verify it too (the object still says pending)
    with pytest.raises(InvalidTransition) as raised:
        transition(org, TRANSITIONS, "verify")

    # then: the conditional UPDATE missed and the 409 names the state read after the miss
    assert raised.value.body()["current_state"] == "verified"


def test_transition_with_extra_conditions_or_values(db, make_org):
    org = make_org(status="pending", name="before")

    assert transition(org, TRANSITIONS, "suspend", where=(Organization.name == "other",), strict=False) is None
    change = transition(org, TRANSITIONS, "suspend", values={"name": "after"}, where=(Organization.name == "before",))

    assert change.after == "suspended" and (org.status, org.name) == ("suspended", "after")


def test_entity_names_are_snake_case_model_names():
    assert [entity_name(Order), entity_name(Organization)] == ["order", "organization"]
    assert entity_name(type("AttributionScheme", (), {})) == "attribution_scheme"


def test_lock_rows_locks_in_ascending_id_order_and_rereads(db, make_org, statements, is_postgres):
    orgs = [make_org() for _ in range(3)]
    ids = [org.id for org in orgs]
    _set_status_behind_the_session(db, orgs[0], "suspended")
    statements.clear()

    locked = lock_rows(Organization, [ids[2], ids[0], ids[1], ids[0]])

    assert [org.id for org in locked] == sorted(ids)
    assert locked[0] is orgs[0] and orgs[0].status == "suspended"  # refreshed from the row
    (sql,) = [s for s in statements if "FROM organizations" in s]
    assert "ORDER BY organizations.id" in sql
    assert ("FOR UPDATE" in sql) == is_postgres  # SQLite: BEGIN IMMEDIATE already holds the write lock


def test_lock_of_one_object_and_of_nothing(db, make_org, statements):
    org = make_org()
    statements.clear()

    assert lock_rows(Organization, []) == [] and lock(None) is None
    assert statements == []
    assert lock(org) is org


def test_check_one_of_renders_the_one_form():
    assert str(check_one_of("status", ("a", "b")).sqltext) == "status IN ('a','b')"
    nullable = check_one_of("benefit_mode", ("x",), name="mode_known", nullable=True)
    assert (str(nullable.sqltext), nullable.name) == ("benefit_mode IS NULL OR benefit_mode IN ('x')", "mode_known")
    with pytest.raises(ValueError):
        check_one_of("status", ("it's",))


@pytest.mark.parametrize("model, column", [
    (Payment, "status"), (Order, "payment_status"), (Order, "buyer_kind"), (Order, "status"), (Organization, "kind"),
])
def test_the_database_refuses_a_value_outside_the_enum(db, make_paid_order, model, column):
    order = make_paid_order()
    row = order if model is Order else db.session.get(Organization, order.buyer_org_id) if model is Organization \
        else db.session.query(Payment).filter_by(order_id=order.id).one()

    with pytest.raises(IntegrityError):
        db.session.execute(update(model).where(model.id == row.id).values({column: "bogus"}))
    db.session.rollback()


def test_the_database_refuses_a_refund_status_outside_the_enum(db, make_paid_order):
    order = make_paid_order()
    payment = db.session.query(Payment).filter_by(order_id=order.id).one()

    db.session.add(Refund(payment_id=payment.id, order_id=order.id, amount_fen=1, reason="r", status="bogus"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
