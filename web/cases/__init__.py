"""Pages for prosecutors, investigators, judges and defence lawyers: their cases and tasks."""
from flask import Blueprint, render_template

from ..auth import require

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")


@bp.get("/")
@require("investigator", "prosecutor", "supervising_prosecutor", "judge", "defence")
def dashboard():
    return render_template("base.html")
