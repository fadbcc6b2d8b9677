"""Pages for reviewers: the compliance dashboard, drill-down, exports, audit verification."""
from flask import Blueprint, render_template

from ..auth import require

bp = Blueprint("reviewer", __name__, url_prefix="/compliance", template_folder="templates")


@bp.get("/")
@require("reviewer", "admin", "supervising_prosecutor", "prosecutor")
def dashboard():
    return render_template("base.html")
