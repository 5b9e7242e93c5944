"""URL converters: an ``<int:...>`` id beyond the PostgreSQL ``integer`` range cannot name a row, so it
does not match the route (404) instead of reaching the database (``integer out of range`` → 500).
The ledger's ``bigint`` keys stay under it too: ids count up from 1, and 2**31 accounts are far off (a route
can widen it with ``<int(max=...):id>``, which tests/foundation's route check does not parse yet)."""
from werkzeug.routing import IntegerConverter

MAX_INT_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app):
    """Before any blueprint is registered (rules bind their converters when added)."""
    app.url_map.converters["int"] = IdConverter
