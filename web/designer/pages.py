"""The designer's pages: the process list, a version, the modeler, a diff, a migration."""
from flask import abort, render_template, request, url_for

from engine.services import designs, processes

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import labels
from . import DESIGNERS, bp


def _by_process(versions: list[dict]) -> list[dict]:
    """Versions grouped per process, newest first, as the list page shows them."""
    grouped: dict[str, dict] = {}
    for row in versions:
        entry = grouped.setdefault(row["process"], {"id": row["process"], "versions": []})
        entry["title"] = row["title"]
        entry["versions"].insert(0, row)
    return list(grouped.values())


def _version_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        abort(400, f"'{name}' must be a version number")


@bp.get("/")
@require(*DESIGNERS)
def index():
    groups = _by_process(processes.list_versions(habeas()))
    for group in groups:
        group["open_cases"] = designs.open_cases_by_version(habeas(), current_actor(), group["id"])
    return render_template("designer/index.html", processes=groups)


@bp.get("/<process_id>/versions/<int:version>")
@require(*DESIGNERS)
def view(process_id: str, version: int):
    deployed = designs.deployed_version(habeas(), current_actor(), process_id, version)
    summary = designs.version_summary(habeas(), current_actor(), process_id, version)
    return render_template("designer/version.html", deployed=deployed, summary=summary,
                           xml_url=url_for("designer.bpmn", process_id=process_id, version=version))


@bp.get("/<process_id>/edit")
@require(*DESIGNERS)
def edit(process_id: str):
    deployed = designs.deployed_version(habeas(), current_actor(), process_id, _version_arg("version"))
    setup = {
        "process": deployed["process"], "version": deployed["version"],
        "xmlUrl": url_for("designer.bpmn", process_id=process_id, version=deployed["version"]),
        "validateUrl": url_for("designer.check"), "deployUrl": url_for("designer.deploy"),
        "compareUrl": url_for("designer.compare", process_id=process_id, version=deployed["version"]),
        "listUrl": url_for("designer.index"), "vocabulary": _vocabulary_in_words(designs.modeler_vocabulary()),
    }
    return render_template("designer/modeler.html", deployed=deployed, setup=setup)


def _vocabulary_in_words(vocabulary: dict) -> dict:
    """The panel's stages and rights named in the reader's language (their ids stay as they are)."""
    for stage in vocabulary["stages"]:
        stage["title"] = labels.stage_title(stage["id"])
    for checkpoint in vocabulary["checkpoints"]:
        checkpoint["right"] = labels.right_name(checkpoint["id"])
    return vocabulary


@bp.get("/<process_id>/diff")
@require(*DESIGNERS)
def diff(process_id: str):
    versions = [v for v in processes.list_versions(habeas()) if v["process"] == process_id]
    if not versions:
        abort(404, f"no process '{process_id}' is deployed")
    latest = versions[-1]["version"]
    to_version = _version_arg("to") or latest
    from_version = _version_arg("from") or max(1, to_version - 1)
    result = designs.diff_versions(habeas(), current_actor(), process_id, from_version, to_version)
    return render_template("designer/diff.html", result=result, versions=versions, marks=_diff_marks(result["changes"]),
                           from_url=url_for("designer.bpmn", process_id=process_id, version=from_version),
                           to_url=url_for("designer.bpmn", process_id=process_id, version=to_version))


def _diff_marks(changes: list[dict]) -> dict:
    """Which element to colour how on each side: added on the newer diagram, removed on the
    older one, changed (or renamed) on both."""
    newer, older = {}, {}
    for change in changes:
        if change["action"] == "added":
            newer[change["element"]] = "added"
        elif change["action"] == "removed":
            older[change["element"]] = "removed"
        else:
            newer.setdefault(change["element"], "changed")
            older.setdefault(change["element"], "changed")
    return {"newer": newer, "older": older}
