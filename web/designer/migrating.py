"""Migration like a cockpit: preview which open cases would move to a version and which would be
refused (and why, in words), choose the cases, confirm, and read the results as links.

Three steps, each its own request so that nothing moves by accident: the preview (GET, changes
nothing), the confirmation (POST, changes nothing, re-reads the preview), the move (POST).  The
move carries the newest version the designer previewed against: another version deployed in
between makes it stale and nothing moves.
"""
from flask import abort, render_template, request

from engine.domain.errors import HabeasError
from engine.services import designs, migration, processes

from ..auth import current_actor, require
from ..errors import STATUS
from ..extensions import habeas
from . import DESIGNERS, bp, words


def _versions(process_id: str) -> list[dict]:
    versions = [v for v in processes.list_versions(habeas()) if v["process"] == process_id]
    if not versions:
        abort(404, f"no process '{process_id}' is deployed")
    return versions


def _int(raw, name: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        abort(400, f"'{name}' must be a version number")
    if not 0 < value < 2**31:
        abort(400, f"'{name}' must be a version number")
    return value


def _chosen() -> list[int]:
    ids = []
    for raw in request.form.getlist("case"):
        try:
            value = int(raw)
        except ValueError:
            abort(400, "each chosen case must be a case id")
        if 0 < value < 2**31:
            ids.append(value)
        else:
            abort(400, "each chosen case must be a case id")
    return ids


def _in_words(preview: dict) -> dict:
    for case in preview["cases"]:
        case["words"] = [words.reason(r) for r in case["reasons"]]
    return preview


def _page(process_id: str, versions: list[dict], status: int = 200, **context):
    open_cases = designs.open_cases_by_version(habeas(), current_actor(), process_id)
    return render_template("designer/migrate.html", process_id=process_id, versions=versions,
                           open_cases=open_cases, **context), status


@bp.get("/<process_id>/migrate")
@require(*DESIGNERS)
def migrate(process_id: str):
    """The versions with their open cases; with ``?to=N`` the preview of a move to version N."""
    versions = _versions(process_id)
    raw = request.args.get("to")
    if raw in (None, ""):
        return _page(process_id, versions, chosen=versions[-1]["version"], preview=None)
    to_version = _int(raw, "to")
    preview = _in_words(migration.preview(habeas(), current_actor(), process_id, to_version))
    return _page(process_id, versions, chosen=to_version, preview=preview)


@bp.post("/<process_id>/migrate/confirm")
@require(*DESIGNERS)
def confirm_migration(process_id: str):
    """The chosen cases, once more, with one button that moves them (nothing moves here)."""
    versions = _versions(process_id)
    to_version = _int(request.form.get("to_version"), "to_version")
    latest = _int(request.form.get("latest_version"), "latest_version")
    chosen = _chosen()
    preview = _in_words(migration.preview(habeas(), current_actor(), process_id, to_version))
    problem = None
    if preview["latest_version"] != latest:
        problem = words.stale(preview["latest_version"], latest)
    elif not chosen:
        problem = words.none_chosen()
    else:
        known = {c["case"] for c in preview["cases"]}
        if any(c not in known for c in chosen):
            problem = words.stale_cases()
    if problem:
        return _page(process_id, versions, 409 if preview["latest_version"] != latest else 422,
                     chosen=to_version, preview=preview, error=problem, checked=set(chosen))
    picked = [c for c in preview["cases"] if c["case"] in set(chosen)]
    return render_template("designer/migrate_confirm.html", process_id=process_id, preview=preview, picked=picked)


@bp.post("/<process_id>/migrate")
@require(*DESIGNERS)
def run_migration(process_id: str):
    """Move the chosen cases; the results link to each case, moved or refused."""
    versions = _versions(process_id)
    to_version = _int(request.form.get("to_version"), "to_version")
    latest = _int(request.form.get("latest_version"), "latest_version")
    chosen = _chosen()
    try:
        outcome = migration.migrate_chosen(habeas(), current_actor(), process_id, to_version, chosen, latest)
    except HabeasError as err:
        preview = _in_words(migration.preview(habeas(), current_actor(), process_id, to_version))
        return _page(process_id, versions, STATUS.get(err.code, 400), chosen=to_version, preview=preview,
                     error=words.refusal(err), checked=set(chosen))
    for case in outcome["refused"]:
        case["words"] = [words.reason(r) for r in case["reasons"]]
    return _page(process_id, versions, chosen=to_version, preview=None, outcome=outcome)
