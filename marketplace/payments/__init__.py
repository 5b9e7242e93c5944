"""Routes live in api.py, imported by register_blueprints."""
from flask_smorest import Blueprint

bp = Blueprint("payments", __name__, description="payments")
