"""Exit 0 if the PostgreSQL server of URL answers, creating its database if missing.

A command-line face of ``marketplace.core.pgdb.ensure_database`` (the one database helper).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from marketplace.core.pgdb import ensure_database  # noqa: E402

url = sys.argv[1]
try:
    ensure_database(url, connect_timeout=3)
except psycopg.Error as exc:
    print(f"PostgreSQL at {url.rpartition('/')[0]} does not answer: {type(exc).__name__}", file=sys.stderr)
    sys.exit(1)
