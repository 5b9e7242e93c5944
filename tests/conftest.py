"""Fixtures: an app per test on a fresh database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), a JSON client with a token helper, and factories."""
import os

import pytest
from sqlalchemy import text

from marketplace import create_app
from marketplace.core.pgdb import ensure_database
from marketplace.extensions import db as _db

pytest_plugins = ["tests.factories", "tests.factories_catalog", "tests.factories_households", "tests.factories_orders",
                  "tests.factories_payments", "tests.factories_ledger"]

def _per_worker_database(url):
    """Under pytest-xdist each worker gets its own PostgreSQL database (created if missing)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base, _, name = url.rpartition("/")
    os.environ["TEST_DATABASE_URL"] = ensure_database(f"{base}/{name}_{worker}")
    return os.environ["TEST_DATABASE_URL"]


PG_URL = _per_worker_database(os.environ.get("TEST_DATABASE_URL"))


def _database_url(tmp_path):
    if PG_URL:
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.db'}"


_pg_schema_ready = {"done": False}


def _reset_postgres(app):
    with app.app_context():
        if not _pg_schema_ready["done"]:
            _db.drop_all()
            with _db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            _db.create_all()
            _pg_schema_ready["done"] = True
            return
        tables = ", ".join(t.name for t in _db.metadata.sorted_tables)
        with _db.engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            conn.execute(text("SET session_replication_role = origin"))


@pytest.fixture
def app(tmp_path):
    url = _database_url(tmp_path)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    if PG_URL:
        _reset_postgres(app)
    else:
        with app.app_context():
            _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres():
    return bool(PG_URL)
