"""Routes live in api.py, imported by register_blueprints."""
from flask_smorest import Blueprint

bp = Blueprint("public", __name__, description="public")
