"""Exit 0 if the PostgreSQL server of URL answers, creating its database if missing."""
import sys

import psycopg

url = sys.argv[1]
base, _, dbname = url.rpartition("/")
try:
    with psycopg.connect(base + "/postgres", connect_timeout=3, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
except psycopg.Error as exc:
    print(f"PostgreSQL at {base} does not answer: {type(exc).__name__}", file=sys.stderr)
    sys.exit(1)
