"""Routes live in api.py, imported by register_blueprints (importing it here would
cycle through the models of other domains)."""
from marketplace.core.blueprint import Blueprint

bp = Blueprint("health", __name__, description="Liveness and readiness")
