"""One commit per request, around the view: a failed commit is answered by the error handlers with a
clean problem body; nothing the view put on its (discarded) response leaks into the answer. After-commit
callbacks run once the transaction is committed (never after a rollback), and ``respond_after_commit``
answers the row as the callbacks left it."""
import marshmallow as ma
import pytest
from sqlalchemy.exc import OperationalError

from marketplace.core.blueprint import Blueprint, register_after_commit
from marketplace.extensions import db
from marketplace.geography.models import Region
from tests.helpers import assert_problem


@pytest.fixture
def probe(app):
    bp = Blueprint("commit_probe", __name__)

    @bp.post("/probe/cached-conflict")
    def cached_conflict():
        db.session.add(Region(code="51", name="again", level="province"))
        return {"ok": True}, 200, {"Cache-Control": "public, max-age=300", "Location": "/probe/1",
                                   "Link": "</probe/1>; rel=self"}

    @bp.get("/probe/cached-read")
    def cached_read():
        return {"ok": True}, 200, {"Cache-Control": "public, max-age=300", "Link": "</probe/1>; rel=self"}

    @bp.post("/probe/created")
    def created():
        db.session.add(Region(code="52", name="new", level="province"))
        return {"ok": True}, 201

    @bp.post("/probe/refused")
    def refused():
        db.session.add(Region(code="53", name="kept?", level="province"))
        return {"status": 400, "title": "Bad Request"}, 400

    class RegionOut(ma.Schema):
        code = ma.fields.String()
        name = ma.fields.String()

    @bp.post("/probe/renamed-after-commit")
    @bp.respond_after_commit(RegionOut(), lambda actor, code: db.session.get(Region, code))
    def renamed_after_commit():
        db.session.add(Region(code="54", name="as written", level="province"))
        return {"id": "54", "name": "as written"}, 201

    app.register_blueprint(bp)
    return app.test_client()


@pytest.fixture
def committed_seen(app):
    """An after-commit callback recording, in a fresh transaction, which probe regions exist; on the
    first call it renames region 54 and commits that itself (as the outbox dispatcher does)."""
    seen = []

    def callback():
        db.session.rollback()  # a new transaction: only what was committed is visible
        seen.append(sorted(code for code in ("52", "53", "54") if db.session.get(Region, code) is not None))
        region = db.session.get(Region, "54")
        if region is not None and region.name == "as written":
            region.name = "renamed after commit"
            db.session.commit()

    register_after_commit(app, callback)
    return seen


def test_commit_conflict_answers_a_clean_problem_without_the_views_headers(probe, db, make_region):
    make_region("51")
    resp = probe.post("/probe/cached-conflict")
    body = assert_problem(resp, 409)
    assert set(body) == {"status", "title", "detail"}
    # a CDN must not cache the failure as if it were the view's answer
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Link" not in resp.headers and "Location" not in resp.headers


def test_commit_failure_of_the_database_is_503_not_cacheable(probe, db, monkeypatch):
    def fail():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "commit", fail)
    resp = probe.get("/probe/cached-read")
    body = assert_problem(resp, 503)
    assert set(body) == {"status", "title", "detail"}
    assert resp.headers["Cache-Control"] == "no-store" and "Link" not in resp.headers


def test_successful_view_is_committed(probe, db):
    assert probe.post("/probe/created").status_code == 201
    db.session.expire_all()
    assert db.session.get(Region, "52") is not None


def test_error_status_returned_by_a_view_rolls_back(probe, db):
    assert probe.post("/probe/refused").status_code == 400
    db.session.expire_all()
    assert db.session.get(Region, "53") is None


def test_after_commit_callbacks_run_after_the_commit_not_after_a_rollback(probe, db, committed_seen):
    assert probe.post("/probe/refused").status_code == 400
    assert committed_seen == []
    assert probe.post("/probe/created").status_code == 201
    assert committed_seen == [["52"]]


def test_respond_after_commit_answers_the_row_as_the_callbacks_left_it(probe, db, committed_seen):
    resp = probe.post("/probe/renamed-after-commit")
    assert resp.status_code == 201
    assert resp.get_json() == {"code": "54", "name": "renamed after commit"}
    assert committed_seen[0] == ["54"]
