"""Pages for prosecutors, investigators, judges and defence lawyers: their cases and tasks.

``pages`` holds what people read (the dashboard, the case page, the diagram); ``acts`` the
forms that change a case (tasks, evidence, overrides, escalations).  Every rule is the
engine's: these views only translate between HTML forms and the services."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")

from . import acts, filings, inbox, liberty, pages  # noqa: E402,F401  (registers the views on bp)
