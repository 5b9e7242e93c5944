"""The migration that admits ``sudden_hardship`` keeps the households table's other rules."""
import flask_migrate
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from marketplace import create_app
from marketplace.extensions import db
from tests.foundation.test_migrations import MIGRATIONS, fresh_database_url, keep_logging  # noqa: F401

INSERT = text("INSERT INTO households (village_code, head_name_enc, head_name_masked, head_name_hash, id_number_enc,"
              " id_number_hash, id_number_masked, registry_no, members, status, created_at, updated_at) VALUES"
              " ('511781101001', 'x', 'x', 'h', 'x', :hash, 'm', 'R', :members, :status,"
              " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")


def _insert(conn, n, status, members=3):
    conn.execute(INSERT, {"hash": f"h{n}", "members": members, "status": status})


def test_status_migration_admits_sudden_hardship_and_keeps_the_checks(fresh_database_url, keep_logging):  # noqa: F811
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url, "TESTING": True})
    with app.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS, revision="a6e1d0c4b2f7")
            with db.engine.connect() as conn:
                conn.execute(text("INSERT INTO regions (code, name, level, poverty_county, poverty_village)"
                                  " VALUES ('511781101001', '村', 'village', false, true)"))
                _insert(conn, 1, "sudden_hardship")
                _insert(conn, 2, "registered_poor")
                conn.commit()
                for n, status, members in ((3, "poor", 3), (4, "lifted", 99)):
                    with pytest.raises(IntegrityError):
                        _insert(conn, n, status, members)
                    conn.rollback()
                # downgrade: the sudden-hardship household becomes monitored, the old list holds again
                conn.execute(text("DELETE FROM households WHERE status = 'registered_poor'"))
                conn.commit()
            flask_migrate.downgrade(directory=MIGRATIONS, revision="4c097f26f09d")
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT status FROM households")).scalars().all() == ["monitored"]
                with pytest.raises(IntegrityError):
                    _insert(conn, 5, "sudden_hardship")
        finally:
            flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
            db.session.remove()
            db.engine.dispose()
