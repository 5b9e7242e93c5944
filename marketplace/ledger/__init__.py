"""Routes live in api.py, imported by register_blueprints."""
from marketplace.core.blueprint import Blueprint

bp = Blueprint("ledger", __name__, description="ledger")
