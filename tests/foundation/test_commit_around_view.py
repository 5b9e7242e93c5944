"""One commit per request, around the view: a failed commit is answered by the error handlers with a
clean problem body; nothing the view put on its (discarded) response leaks into the answer."""
import pytest
from sqlalchemy.exc import OperationalError

from marketplace.core.blueprint import Blueprint
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

    app.register_blueprint(bp)
    return app.test_client()


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
