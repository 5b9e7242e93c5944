"""Bulk row writing for the scale generator: COPY on PostgreSQL (``core.pgdb.copy_rows``), executemany on SQLite.

Rows are tuples in the order of the given columns, with explicit primary keys (taken
from :meth:`BulkWriter.next_ids`), so children can point at their parents before
anything is written. Everything runs in the session's transaction: CHECK constraints,
foreign keys and triggers (append-only, the deferred ledger balance check) all apply.
"""
from sqlalchemy import func, select, text

from marketplace.core.pgdb import copy_rows
from marketplace.extensions import db


class BulkWriter:
    def __init__(self, session=None):
        self.session = session or db.session
        self.dialect = self.session.get_bind().dialect.name
        self._next = {}
        self.written = {}

    @property
    def is_postgres(self):
        return self.dialect == "postgresql"

    def next_ids(self, table_name, n):
        """A block of ``n`` fresh ids for ``table_name`` (this writer is the only writer meanwhile)."""
        if table_name not in self._next:
            table = db.metadata.tables[table_name]
            self._next[table_name] = (self.session.scalar(select(func.max(table.c.id))) or 0) + 1
        start = self._next[table_name]
        self._next[table_name] = start + n
        return range(start, start + n)

    def write(self, table_name, columns, rows):
        if not rows:
            return
        table = db.metadata.tables[table_name]
        unknown = [c for c in columns if c not in table.c]
        if unknown:
            raise ValueError(f"{table_name} has no column(s) {unknown}")
        if self.is_postgres:
            copy_rows(self.session.connection(), table_name, columns, rows)
        else:
            self.session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        self.written[table_name] = self.written.get(table_name, 0) + len(rows)

    def sync_sequences(self):
        """PostgreSQL: move each written table's id sequence past the ids used."""
        if not self.is_postgres:
            return
        for table_name in self._next:
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM \"{table_name}\"))"))
