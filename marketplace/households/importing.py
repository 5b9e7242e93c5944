"""CSV import of households, all or nothing.

Every row is checked (schema, known village, ID check digit, duplicates within the file and
against the database by keyed hash) before anything is added. Errors are ``(line, field,
message)`` with the CSV line number where the row starts (the header is line 1); messages
never contain a name or an ID number.
"""
import csv
import io
import re

from marshmallow import ValidationError
from sqlalchemy import select

from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.geography.models import Region
from marketplace.households import protection
from marketplace.households.models import Household
from marketplace.households.schemas import HouseholdCreateSchema
from marketplace.households.services import audit_values, new_household

COLUMNS = ("village_code", "head_name", "id_number", "registry_no", "members", "status", "lifted_year",
           "baseline_income_per_capita_fen")
INTEGER_COLUMNS = ("members", "lifted_year", "baseline_income_per_capita_fen")
OPTIONAL_COLUMNS = ("lifted_year", "baseline_income_per_capita_fen")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,20}$")
HASH_BATCH = 500


class ImportFailed(Exception):
    """The file was rejected; ``errors`` is a list of (line, field, message)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _typed(row):
    """CSV cells are text: integers become int, empty optional cells None; anything else stays text
    so the schema rejects it with its own message."""
    data = {}
    for key in COLUMNS:
        value = (row.get(key) or "").strip()
        if key in OPTIONAL_COLUMNS and value == "":
            value = None
        elif key in INTEGER_COLUMNS and _INTEGER.match(value):
            value = int(value)
        data[key] = value
    return data


def _rows(text):
    """Yield (line_number, row dict) for each data row; raise ImportFailed on a bad header."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        problems = ([f"missing column(s): {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s): {', '.join(extra)}"] if extra else [])
        raise ImportFailed([(1, "header", p) for p in problems])
    reader.fieldnames = header
    try:
        for row in reader:
            # line_num is where the record ends; quoted cells may span lines (blank lines are skipped).
            cells = [v for v in row.values() if isinstance(v, str)] + list(row.get(None) or [])
            start = reader.line_num - sum(cell.count("\n") for cell in cells)
            complete = None not in row and all(v is not None for v in row.values())
            yield start, row if complete else None
    except csv.Error:
        raise ImportFailed([(reader.line_num, "row", "malformed CSV")]) from None


def validate_rows(text):
    """Check every row; return the list of (line, data) to insert, or raise ImportFailed with all errors."""
    schema = HouseholdCreateSchema()
    errors, valid, first_line_of_hash = [], [], {}
    villages = set(db.session.scalars(select(Region.code).where(Region.level == "village")))
    for line, row in _rows(text):
        if row is None:
            errors.append((line, "row", f"expected {len(COLUMNS)} columns"))
            continue
        try:
            data = schema.load(_typed(row))
        except ValidationError as exc:
            errors.extend((line, field, "; ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs))
                          for field, msgs in sorted(exc.messages.items()))
            continue
        if data["village_code"] not in villages:
            errors.append((line, "village_code", "not a known village code"))
            continue
        if data["status"] == "lifted" and data["lifted_year"] is None:
            errors.append((line, "lifted_year", "required when status is lifted"))
            continue
        key = protection.cipher().lookup_hash(data["id_number"])
        if key in first_line_of_hash:
            errors.append((line, "id_number", f"duplicate of line {first_line_of_hash[key]} in this file"))
            continue
        first_line_of_hash[key] = line
        valid.append((line, data))
    errors.extend(_registered(valid))
    if errors:
        raise ImportFailed(sorted(errors))
    return valid


def _registered(valid):
    """Errors for rows whose ID number is already in the database (under any configured key)."""
    hashes = {h: line for line, data in valid for h in protection.id_number_hashes(data["id_number"])}
    found, keys = set(), list(hashes)
    for start in range(0, len(keys), HASH_BATCH):
        batch = keys[start:start + HASH_BATCH]
        found.update(db.session.scalars(select(Household.id_number_hash).where(Household.id_number_hash.in_(batch))))
    lines = sorted({hashes[h] for h in found})
    return [(line, "id_number", "already registered") for line in lines]


def import_households(text, *, actor=None):
    """Validate all rows, then add every household with an audit event (masked values only).

    Flushes, never commits (the CLI commits). Returns the number added; raises ImportFailed.
    """
    rows = validate_rows(text)
    for _line, data in rows:
        household = new_household(**data)
        db.session.flush()
        record(actor, "household.import", "household", household.id, after=audit_values(household),
               region_code=household.village_code)
    return len(rows)
