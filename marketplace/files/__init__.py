"""Stored files (evidence documents) and the route that serves them; routes live in api.py."""
from marketplace.core.blueprint import Blueprint

bp = Blueprint("files", __name__, description="files")
