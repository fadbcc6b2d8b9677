"""Pages of the training space: the scenario library, a practice case played on its virtual
clock with the case's own task forms, the debrief, the trainers' reports and the jurors' module.
Every page is marked as training; every rule is the engine's (``engine.services.training``)."""
from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training", template_folder="templates")

from . import pages, words  # noqa: E402  (registers the views on bp)

words.register(bp)
