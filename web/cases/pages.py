"""What people read: the dashboard of their cases, the registration of a new case, the case
page with its diagram, rights, timeline and audit trail."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.domain import catalogue, roles
from engine.domain.clock import parse_instant
from engine.domain.stages import STAGES
from engine.domain.errors import InvalidData
from engine.services import dashboards, inbox, queries, trail as trail_reads

from ..auth import current_actor, require
from ..extensions import habeas
from ..i18n import diagrams
from . import alerts, bp, fields, liberty

CASE_ROLES = ("investigator", "prosecutor", "supervising_prosecutor", "judge", "defence")
READER_ROLES = CASE_ROLES + ("reviewer", "admin")
OPENER_ROLES = tuple(sorted(roles.OPENERS))
ACTOR_ROLES = ("investigator", "prosecutor", "supervising_prosecutor", "judge")  # defence: own lane and filings


@bp.get("/")
@require(*CASE_ROLES)
def dashboard():
    actor = current_actor()
    scope = request.args.get("scope", "mine")
    scope = scope if scope in dashboards.SCOPES else "mine"
    rows = dashboards.my_cases(habeas(), actor, scope=scope)
    return render_template("cases/dashboard.html", rows=rows, scope=scope, may_open=actor.role in OPENER_ROLES,
                           widens=actor.role in ("investigator", "judge"))


@bp.route("/new", methods=["GET", "POST"])
@require(*OPENER_ROLES)
def new_case():
    ctx, actor = habeas(), current_actor()
    form_fields = fields.as_dicts(dashboards.registration_form(ctx))
    if request.method == "GET":
        parties = {"prosecutor": actor.username if actor.role != "investigator" else "", "defence": [], "unit": ""}
        return _registration_page(form_fields, {}, {}, parties)
    parties = {"prosecutor": request.form.get("prosecutor", ""), "defence": request.form.getlist("defence"),
               "unit": request.form.get("unit", "").strip()}
    try:
        case_id = dashboards.register_case(ctx, actor, fields.submitted(form_fields, request.form),
                                           prosecutor=parties["prosecutor"] or None, defence=parties["defence"],
                                           unit=parties["unit"])
    except InvalidData as err:
        return _registration_page(form_fields, fields.entered(form_fields, request.form), err.fields, parties,
                                  status=422)
    flash(_("The case is opened. Its first task is waiting below."))
    return redirect(url_for(".case", case_id=case_id))


def _registration_page(form_fields, values, errors, parties, status=200):
    ctx = habeas()
    beside, general = fields.errors_by_field(errors, form_fields)
    return render_template("cases/new.html", form_fields=form_fields, values=values, errors=beside,
                           general_errors=general, parties=parties,
                           prosecutors=dashboards.colleagues(ctx, {"prosecutor", "supervising_prosecutor"}),
                           lawyers=dashboards.colleagues(ctx, {"defence"})), status


@bp.get("/<int:case_id>")
@require(*READER_ROLES)
def case(case_id: int):
    ctx, actor = habeas(), current_actor()
    view = queries.show_case(ctx, actor, case_id)
    trail = queries.case_audit(ctx, actor, case_id)
    acts = actor.role in ACTOR_ROLES
    defence = actor.role == roles.DEFENCE
    for task in view["tasks"]:  # defence counsel work their own lane (the appeal)
        task["mine"] = (acts or defence) and roles.may_work_lane(actor.role, task["lane"])
    marks = {"ready": [t["name"] for t in view["tasks"]], "path": view["path"]}
    view["stages"] = timeline(view["stages"])
    return render_template("cases/case.html", case=view, panel=dashboards.checkpoint_panel(view, actor),
                           alerts=alerts.of_case(view, ctx.now()), strip=stage_strip(view),
                           standing=catalogue.STANDING_TERMS,
                           trail=trail, trail_form=trail_reads.form_fields(ctx, case_id), marks=marks, acts=acts,
                           liberty=liberty.offered(view, actor.role),
                           files=acts or defence, defence=defence,
                           refers=actor.role in ("prosecutor", "supervising_prosecutor"),
                           supervises=actor.role == "supervising_prosecutor",
                           comments=inbox.comments(ctx, actor, case_id) if actor.role in inbox.COMMENT_READERS else None,
                           may_comment=actor.role in inbox.COMMENTERS)


def timeline(entries: list[dict]) -> list[dict]:
    """Stage entries in the order they happened, never backwards (by time, then as recorded)."""
    def moment(pair):
        try:
            return parse_instant(pair[1]["entered_at"]).timestamp(), pair[0]
        except (TypeError, ValueError, AttributeError):
            return float("inf"), pair[0]
    return [entry for _, entry in sorted(enumerate(entries), key=moment)]


def stage_strip(view: dict) -> list[dict]:
    """The main line of a criminal case, stage by stage: passed, current or ahead.  Readable at
    any width, beside the diagram that is not."""
    if view.get("process") != "criminal_case":
        return []
    entered = {s["stage"] for s in view["stages"]}
    main = [s for s in STAGES if not s.side_track]
    current = view.get("stage")
    index = next((i for i, s in enumerate(main) if s.id == current), -1)
    return [{"id": s.id, "state": "current" if s.id == current else
             "passed" if s.id in entered or i < index else "ahead"} for i, s in enumerate(main)]


@bp.get("/<int:case_id>/diagram.xml")
@require(*READER_ROLES)
def diagram(case_id: int):
    """The deployed BPMN the case runs on, for the viewer on the case page."""
    xml = diagrams.localised(dashboards.diagram_xml(habeas(), current_actor(), case_id))
    return Response(xml, mimetype="application/xml",
                    headers={"Cache-Control": "private, max-age=300", "Vary": "Cookie, Accept-Language"})


@bp.context_processor
def _helpers():
    """Helpers for every page of the blueprint: stage titles, the urgency threshold."""
    return {"urgent_hours": dashboards.URGENT_HOURS}
