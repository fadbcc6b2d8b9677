"""Pages for process designers: processes, versions, the modeler, deploy, diff, migration.

``pages`` renders what a designer reads; ``endpoints`` answers the modeler's calls (the BPMN
text of a version, check on save, deploy) in JSON.  Every rule is in the engine's services.
"""
from flask import Blueprint

bp = Blueprint("designer", __name__, url_prefix="/processes", template_folder="templates")

DESIGNERS = ("designer", "admin")

from . import endpoints, migrating, pages  # noqa: E402,F401  (routes register on bp)
