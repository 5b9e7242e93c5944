"""Database-enforced append-only tables (audit events, journal entries, postings).

The same statements run after ``create_all`` (tests) and in the migrations.
"""
from sqlalchemy import DDL, event


def append_only_statements(table, dialect):
    if dialect == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""",
        ]
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    ]


def drop_statements(table, dialect):
    if dialect == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {table}_append_only() CASCADE"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def make_append_only(table):
    """Attach the triggers to a Table so create_all installs them."""
    for dialect in ("postgresql", "sqlite"):
        for stmt in append_only_statements(table.name, dialect):
            event.listen(table, "after_create", DDL(stmt).execute_if(dialect=dialect))
