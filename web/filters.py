"""Template helpers: times shown in the configured zone, countdowns to legal deadlines, and the
words people read instead of the engine's ids (``web.i18n.labels``)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext as _l

from engine.domain.clock import parse_instant

from .extensions import habeas
from .i18n import audit_details, labels, scripts

ZONE_NAMES = {"Asia/Almaty": _l("Almaty time (Asia/Almaty)"), "Asia/Aqtobe": _l("Aktobe time (Asia/Aqtobe)"),
              "UTC": _l("UTC")}

# What an error is, in the reader's words, when its detail is a sentence we have no words for.
ERROR_KINDS = {
    "not_found": _l("What you asked for does not exist, or is not open to you."),
    "forbidden": _l("You may not do this."),
    "override_refused": _l("This override is not allowed."),
    "unauthenticated": _l("Log in first."),
    "conflict": _l("The case changed meanwhile; nothing was saved. Reload and try again."),
    "checkpoint_blocked": _l("Refused: rights guarding this stage are not shown respected."),
    "invalid_data": _l("Some of the data is not valid; nothing was saved."),
    "invalid_bpmn": _l("The process model is not valid; nothing was deployed."),
    "workflow_error": _l("The process model failed while running; nothing was saved."),
    "csrf": _l("The form expired or did not come from Habeas; reload and try again."),
    "too_large": _l("The request is too large."),
    "internal": _l("Something went wrong on our side; it has been logged."),
    "bad_request": _l("The request is not valid."),
    "method_not_allowed": _l("This address does not accept that kind of request."),
    "unsupported_media_type": _l("Send the request as JSON."),
}


def error_message(error) -> str:
    """An error's message in the reader's language: its own sentence if we have words for it
    (a fixed one by its English, one of the engine's sentences with values by ``labels.reason``),
    else what kind of error it is (the engine's English detail stays in the JSON's ``detail``)."""
    message = getattr(error, "message", None)
    code = getattr(error, "code", None)
    if getattr(error, "translated", False):
        return message
    if isinstance(error, dict):
        message, code = error.get("message"), error.get("error")
    # one of the engine's marked sentences (a derogation refused) is said again in the reader's words
    translated = (gettext(message) if labels.language() == "en" else labels.reason(message)) if message else ""
    if labels.language() == "en" or (translated and translated != message):
        return translated or str(ERROR_KINDS.get(code, ERROR_KINDS["bad_request"]))
    return str(ERROR_KINDS.get(code, ERROR_KINDS["bad_request"]))


def register(app) -> None:
    zone = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(value, fmt="%d.%m.%Y %H:%M"):
        instant = parse_instant(value) if not isinstance(value, datetime) else value
        return instant.astimezone(zone).strftime(fmt) if instant else "—"

    @app.template_filter("hours_left")
    def hours_left(value) -> float | None:
        instant = parse_instant(value) if not isinstance(value, datetime) else value
        if instant is None:
            return None
        return round((instant - habeas().now()).total_seconds() / 3600, 1)

    @app.template_filter("as_entered")
    def as_entered(value):
        """What someone entered, as they would read it: an ISO time in the configured zone."""
        if isinstance(value, str) and len(value) >= 16 and value[4] == "-" and value[10] == "T":
            try:
                return localtime(value)
            except (TypeError, ValueError):
                return value
        return value

    @app.template_filter("decimal")
    def decimal(value, digits=1):
        """``12,5`` in Kazakh and Russian, ``12.5`` in English."""
        text = f"{value:.{digits}f}"
        return text if labels.language() == "en" else text.replace(".", ",")

    @app.context_processor
    def _globals():
        from .auth import current_actor
        return {"actor": current_actor(), "timezone": app.config["TIMEZONE"],
                "timezone_name": str(ZONE_NAMES.get(app.config["TIMEZONE"], app.config["TIMEZONE"])),
                "error_message": error_message}

    app.jinja_env.globals.update(
        role_name=labels.role_name, status_name=labels.status_name, stage_title=labels.stage_title,
        right_name=labels.right_name, right_explanation=labels.right_explanation,
        failure_name=labels.failure_name, action_name=labels.action_name, task_title=labels.task_title,
        task_instructions=labels.task_instructions, field_label=labels.field_label,
        field_help=labels.field_help, choice_label=labels.choice_label, term=labels.text,
        reason_text=labels.reason, reason_is_translated=labels.reason_is_translated,
        escalation_kind=labels.escalation_kind, inbox_kind=labels.inbox_kind,
        severity_name=labels.severity_name, process_name=labels.process_name,
        filter_label=labels.filter_label, field_error=labels.field_error,
        field_error_is_translated=labels.field_error_is_translated, script_messages=scripts.translated,
        diff_action=labels.diff_action, evidence_labels=labels.evidence_labels,
        audit_details=audit_details.details, actor_name=audit_details.actor_name)
    app.jinja_env.filters["field_error"] = labels.field_error
