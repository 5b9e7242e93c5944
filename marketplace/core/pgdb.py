"""PostgreSQL plumbing shared by the app, the tests, the scripts and the benches.

* :func:`copy_rows`: the one COPY writer (ledger postings, ``seed scale``, the benches).
* :func:`ensure_database` / :func:`drop_database`: the one way a test, script or bench
  database is created (missing → created; ``fresh=True`` → dropped and created again).

psycopg is imported lazily: SQLite-only runs never need it.
"""


def copy_rows(connection, table, columns, rows):
    """``COPY table (columns) FROM STDIN`` with ``rows`` (tuples in column order).

    ``connection``: a SQLAlchemy Connection (the session's: same transaction, triggers and
    deferred checks fire) or a psycopg connection. dict/list values go in as JSON. Returns the
    number of rows written.
    """
    from psycopg.types.json import Json

    driver = getattr(getattr(connection, "connection", None), "driver_connection", None) or connection
    names = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            if any(isinstance(v, dict | list) for v in row):
                row = [Json(v) if isinstance(v, dict | list) else v for v in row]
            copy.write_row(row)
            n += 1
    return n


def _split(url):
    """(server URL for psycopg, database name) of a PostgreSQL URL (any driver suffix, no query)."""
    scheme, _, rest = url.partition("://")
    base, _, name = rest.rpartition("/")
    return f"postgresql://{base}", name.split("?")[0]


def ensure_database(url, *, fresh=False, connect_timeout=5):
    """Create the database of ``url`` if missing (``fresh``: drop it first). Returns ``url``.

    Raises psycopg.Error when the server does not answer.
    """
    import psycopg

    server, name = _split(url)
    with psycopg.connect(f"{server}/postgres", connect_timeout=connect_timeout, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if fresh or not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def drop_database(url, *, connect_timeout=5):
    import psycopg

    server, name = _split(url)
    with psycopg.connect(f"{server}/postgres", connect_timeout=connect_timeout, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
