"""The JSON API under /api/v1: the same services and rules as the pages, Bearer tokens for scripts."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
