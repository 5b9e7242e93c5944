"""Routes live in api.py, imported by register_blueprints (importing it here would
cycle through the models of other domains)."""
from marketplace.core.blueprint import Blueprint

bp = Blueprint("audit", __name__, description="Append-only audit events")
