"""Pages for process designers: processes, versions, the modeler, deploy, diff, migration."""
from flask import Blueprint, render_template

from ..auth import require

bp = Blueprint("designer", __name__, url_prefix="/processes", template_folder="templates")


@bp.get("/")
@require("designer", "admin")
def index():
    return render_template("base.html")
