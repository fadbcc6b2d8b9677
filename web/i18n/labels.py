"""What people read instead of the engine's ids and English: stages, rights, roles, statuses,
audit actions, task names and form labels, in the reader's language.

The engine stays language-neutral (it never imports Flask or Babel).  What only the web layer
names (roles, statuses, audit actions, failure classes) is keyed by its id here; what the engine
words itself (stage titles, rights and their explanations, field labels and help, task names) is
looked up by its current English wording, which the extractors of ``web.i18n.terms`` collect
into the catalogues, so a reworded right shows as untranslated instead of with stale words.  A diagram may also
name a task or label a field per language itself (``name_ru``, ``label_kk``): that wins."""
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale, gettext, lazy_gettext as _l, ngettext, pgettext

from engine.domain import catalogue, wording
from engine.domain.stages import STAGE_BY_ID

ROLES = {
    "investigator": _l("investigator"),
    "prosecutor": _l("procedural prosecutor"),
    "supervising_prosecutor": _l("supervising prosecutor"),
    "judge": _l("investigating judge"),
    "defence": _l("defence counsel"),
    "designer": _l("process designer"),
    "reviewer": _l("compliance reviewer"),
    "admin": _l("administrator"),
    None: _l("anyone"),
}

STATUSES = {
    "passed": _l("passed"), "failed": _l("failed"), "pending": _l("pending"),
    "waived": _l("waived"), "overridden": _l("overridden"), "not_applicable": _l("not applicable"),
    "overdue": _l("overdue"), "non_compliant": _l("non compliant"), "open": _l("open"),
    "resolved": _l("resolved"), "closed": _l("closed"), "active": _l("active"), "refused": _l("refused"),
    "awaiting_ruling": _l("awaiting ruling"), "upheld": _l("upheld"), "dismissed": _l("dismissed"),
}

FAILURE_CLASSES = {"block": _l("blocks the step"), "escalate": _l("escalates"),
                   "flag": _l("flags the record")}



RIGHTS_SHORT = {  # for a chart's axis, where a whole right does not fit
    "detention_judicial_review": _l("Judicial review of detention"),
    "rights_information": _l("Information on rights"),
    "counsel_before_interrogation": _l("Lawyer at questioning"),
    "silence_caution": _l("Right to silence"),
    "interpreter": _l("Interpreter"),
    "family_consular_notice": _l("Family and consulate told"),
    "medical_examination": _l("Medical examination"),
    "juvenile_safeguards": _l("Juvenile safeguards"),
    "suspect_status_approval": _l("Prosecutor's approval"),
    "custody_term_review": _l("Custody term"),
    "reasonable_time": _l("Reasonable time"),
    "complaint_review": _l("Complaint to the judge"),
    "file_access_disclosure": _l("Access to the file"),
    "jury_right": _l("Jury trial"),
    "appeal_notice": _l("Notice of appeal rights"),
    "ombudsperson_access": _l("Human Rights Commissioner"),
}


ACTIONS = {
    "case.opened": _l("case opened"), "case.read": _l("case read by the defence"),
    "case.migrated": _l("moved to a new process version"),
    "case.migration_refused": _l("move to a new process version refused"),
    "process.migration": _l("chosen cases migrated to a new process version"),
    "task.completed": _l("task completed"), "task.refused": _l("step refused: rights not shown respected"),
    "evidence.recorded": _l("evidence recorded"), "checkpoint.overridden": _l("block overridden"),
    "escalation.resolved": _l("escalation resolved"), "deadline.warning": _l("deadline approaching"),
    "deadline.breached": _l("deadline missed"), "deadlines.recomputed": _l("deadlines recomputed"),
    "timer.fired": _l("process timer fired"), "process.deployed": _l("process version deployed"),
    "user.added": _l("user added"),
    "deadline.met": _l("deadline met"), "deadline.cancelled": _l("deadline cancelled"),
    "auth.login_failed": _l("failed login"), "process.deploy_requested": _l("deployment requested"),
    "process.deploy_confirmed": _l("deployment confirmed"), "schema.upgraded": _l("database upgraded"),
    "task.claimed": _l("task claimed"), "task.reassigned": _l("task reassigned"),
    "case.commented": _l("comment added"),
    # the acts of the procedure and of the engine that a case's trail also holds
    "custody.extended": _l("custody term extended"), "custody.extension_refused": _l("custody extension refused"),
    "allegation.recorded": _l("ill-treatment allegation recorded"),
    "allegation.referred": _l("allegation referred to the prosecutor"),
    "complaint.filed": _l("complaint filed"), "complaint.ruled": _l("ruling on the complaint"),
    "counsel.derogated": _l("temporary derogation from access to a lawyer"),
    "file_access.requested": _l("access to the file requested"), "person.released": _l("person released"),
    "suspicion.requalified": _l("suspicion requalified"), "deadline.escalated": _l("deadline escalated"),
    "access.denied": _l("access refused"), "data.erased": _l("data erased after the retention period"),
    "incident.opened": _l("incident opened"), "incident.resolved": _l("incident resolved"),
    "incident.retried": _l("incident retried"), "incident.repaired": _l("incident repaired"),
}

PROCESSES = {"criminal_case": _l("Criminal case"), "complaint": _l("Complaint to the investigating judge")}

DIFF_ACTIONS = {"added": _l("added"), "removed": _l("removed"), "changed": _l("changed"), "renamed": _l("renamed")}

ESCALATION_KINDS = {"release": _l("Mandatory release"), "warning": _l("Deadline approaching"),
                    "escalation": _l("Escalated")}

# The inbox: what kind of item, how severe (said in words, never by colour alone).
INBOX_KINDS = {"task": _l("Task"), "release": _l("Mandatory release"), "escalation": _l("Escalated"),
               "warning": _l("Deadline approaching"), "referral": _l("Referral of an ill-treatment allegation"),
               "request": _l("Request of the defence"), "admissibility_flag": _l("Admissibility ruling needed")}
SEVERITIES = {"critical": _l("critical"), "high": _l("high"), "medium": _l("medium"), "normal": _l("normal")}

REPORT_FILTERS = {"from": _l("From"), "to": _l("To (inclusive)"), "unit": _l("Unit"), "prosecutor": _l("Prosecutor"),
                  "checkpoint": _l("Right"), "status": _l("Status")}

# Validation messages as marshmallow and the engine word them, so that the catalogues carry them.
FIELD_ERRORS = (
    _l("Missing data for required field."), _l("Not a valid datetime."), _l("Not a valid date."),
    _l("Not a valid integer."), _l("Not a valid boolean."), _l("Not a valid string."), _l("Unknown field."),
    _l("Field may not be null."), _l("Not a valid number."), _l("Length must be between 0 and 80."),
    _l("Longer than maximum length 80."), _l("Must be one of the offered values."),
    _l("the period must not end before it starts"), _l("the period must not start after today"),
    _l("required"), _l("not an ISO-8601 time"), _l("required: when the fact happened"), _l("no such record"),
    _l("already resolved"), _l("required when refusing: say what must be corrected"),
    # complaints (CPC 105-106) and ill-treatment allegations (UNCAT 12-13), as the services word them
    _l("required: which act or decision, by whom, and why it is unlawful"),
    _l("required: when the complainant learned of the act (their 15 days run from it)"),
    _l("in the future: a complaint is about what already happened"),
    _l("a complaint is filed after the complainant learned of the act"),
    _l("must be true or false"), _l("must be an object"),
    _l("required: what is alleged, by whom, when and where"),
    _l("required: the body that checks the allegation independently"), _l("before the allegation"),
    _l("the complaint cannot be filed as given"), _l("the allegation cannot be recorded as given"),
    _l("the referral cannot be recorded as given"), _l("this allegation was already referred"),
    _l("a referral follows the allegation"),
)

# The inbox's refusals (engine.services.inbox words them; fixed sentences).
INBOX_REFUSALS = (
    _l("the task is no longer waiting: reload the inbox"),
    _l("the task is held by a colleague: only they or a supervising prosecutor may reassign it"),
    _l("this task is not in your lane"),
    _l("only the holder of the task, or a supervising prosecutor, may reassign it"),
    _l("no active user by that name"), _l("that user's role may not work this task"),
    _l("the case changed since you read it: reload and try again"), _l("write the comment"),
    _l("the comment is longer than 4000 characters"),
)


def language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def role_name(role: str | None) -> str:
    return str(ROLES.get(role, role or ROLES[None]))


def status_name(status: str) -> str:
    return str(STATUSES.get(status, status.replace("_", " ")))


def failure_name(failure: str) -> str:
    return str(FAILURE_CLASSES.get(failure, failure))


def stage_title(stage: str | None) -> str:
    if stage in STAGE_BY_ID:
        return gettext(STAGE_BY_ID[stage].title)
    return gettext("Not yet registered") if not stage else stage


def right_name(checkpoint_id: str) -> str:
    """A right by its catalogue wording, translated (the catalogues carry the catalogue's English)."""
    cp = catalogue.CATALOGUE.get(checkpoint_id)
    return gettext(cp.right) if cp else str(checkpoint_id)


def right_short(checkpoint_id: str) -> str:
    return str(RIGHTS_SHORT[checkpoint_id]) if checkpoint_id in RIGHTS_SHORT else right_name(checkpoint_id)


def right_explanation(checkpoint_id: str) -> str:
    cp = catalogue.CATALOGUE.get(checkpoint_id)
    return gettext(cp.on_failure) if cp and cp.on_failure else ""


def action_name(action: str) -> str:
    return str(ACTIONS.get(action, action))


def process_name(process_id: str, title: str | None = None) -> str:
    """A process by its id; a process we do not know by its diagram's own name."""
    return str(PROCESSES[process_id]) if process_id in PROCESSES else text(title or process_id)


def diff_action(action: str) -> str:
    return str(DIFF_ACTIONS.get(action, action))


def escalation_kind(kind: str) -> str:
    return str(ESCALATION_KINDS.get(kind, ESCALATION_KINDS["escalation"]))


def inbox_kind(kind: str) -> str:
    return str(INBOX_KINDS.get(kind, kind))


def severity_name(severity: str) -> str:
    return str(SEVERITIES.get(severity, severity))


def _own(translations: dict | None, key: str) -> str | None:
    """A wording the diagram gives for this language itself (``name_ru``, ``label_kk``)."""
    return (translations or {}).get(f"{key}_{language()}") or None


def text(english: str) -> str:
    """Free text from the catalogue or a diagram, by its English wording (empty stays empty)."""
    return gettext(english) if english else ""


def task_title(task: dict) -> str:
    return _own(task.get("translations"), "name") or text(task.get("title") or task.get("name") or "")


def task_instructions(task: dict) -> str:
    return _own(task.get("translations"), "instructions") or text(task.get("instructions") or "")


def field_label(form_field: dict) -> str:
    return _own(form_field, "label") or text(form_field.get("label") or form_field.get("name", ""))


def field_help(form_field: dict) -> str:
    return _own(form_field, "help") or text(form_field.get("help") or "")


def choice_label(value: str, field_name: str = "") -> str:
    """A choice offered by a form (``detain``, ``jury``): its words, by the value's English, in
    the context of its field (the catalogues hold choices per field name)."""
    words = str(value).replace("_", " ")
    return pgettext(field_name, words) if field_name else gettext(words)


def evidence_labels(checkpoint_id: str) -> dict:
    """Field name -> label, in the reader's language, for a right's evidence form."""
    cp = catalogue.CATALOGUE.get(checkpoint_id)
    return {f.name: text(f.label) for f in cp.evidence} if cp else {}


def filter_label(name: str) -> str:
    return str(REPORT_FILTERS.get(name, name))


_FUTURE = re.compile(r"^must not be in the future \((\d{4}-\d\d-\d\d(?: \d\d:\d\d UTC)?) is after now, "
                     r"(\d{4}-\d\d-\d\d(?: \d\d:\d\d UTC)?)\)$")
_NOT_A_MOMENT = re.compile(r"^must be a date and time such as \S+, not '(.*)'$")
_NOT_A_DAY = re.compile(r"^must be a date such as \S+, not '(.*)'$")


def _moment_or_day(text: str) -> str:
    return _local(text[:-4]) if text.endswith(" UTC") else ".".join(reversed(text.split("-")))


def field_error(message: str) -> str:
    """A validation message in the reader's words.  ``Must be one of: a, b.`` loses its list of
    internal values (the form offers the choices); the engine's checks of dates are rebuilt with
    the times in the configured zone; any other sentence is looked up by its English."""
    if message.startswith("Must be one of"):
        return gettext("Must be one of the offered values.")
    future = _FUTURE.match(message)
    if future:
        return gettext("must not be in the future (%(when)s is after now, %(now)s)",
                       when=_moment_or_day(future.group(1)), now=_moment_or_day(future.group(2)))
    moment = _NOT_A_MOMENT.match(message)
    if moment:
        return gettext("must be a date and time such as 02.03.2026 14:00, not “%(value)s”", value=moment.group(1))
    day = _NOT_A_DAY.match(message)
    if day:
        return gettext("must be a date such as 17.05.1990, not “%(value)s”", value=day.group(1))
    return gettext(message)


def field_error_is_translated(message: str) -> bool:
    return language() == "en" or field_error(message) != message


# The engine's fixed reasons, word for word, so that the catalogues carry them.
REASONS = (
    _l("no evidence recorded yet"), _l("evidence incomplete"),
    _l("no caution on the right to silence was given"), _l("no teacher or psychologist was present"),
    _l("the child's age was not checked"), _l("the lawyer was not present at the interrogation"),
    _l("the complaint challenges the lawfulness of detention: this blocks"),
    _l("the complaint to the Commissioner was not forwarded unopened"),
    _l("the defence's access ends before it begins"),
    _l("the hearing time precedes the apprehension: check the recorded times"),
    _l("the letter of rights is neither signed nor is a refusal to sign witnessed"),
    _l("the procedural prosecutor refused approval: the decision has no legal force"),
    _l("the right to appeal and its deadline were not explained"),
    _l("waiver not allowed: defence is mandatory (minor or other CPC art 67 case)"),
    _l("copy served after the appeal period ended: the time limit must be restored"),
)
def _local(utc_text: str) -> str:
    """``2026-03-04 10:00`` or ``2026-03-04 10:00 UTC`` (as the engine writes it) in the
    configured zone, dd.mm.yyyy."""
    moment = datetime.strptime(utc_text.removesuffix(" UTC"), "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%d.%m.%Y %H:%M")


_INCOMPLETE = "evidence incomplete: "


def _evidence_missing(sentence: str, checkpoint_id: str | None) -> str | None:
    """``evidence incomplete: a, b`` with the fields by their labels (the engine names keys)."""
    if not (sentence.startswith(_INCOMPLETE) and checkpoint_id):
        return None
    names = [n.strip() for n in sentence[len(_INCOMPLETE):].split(",")]
    labels = evidence_labels(checkpoint_id)
    return gettext("Evidence missing: %(fields)s", fields=", ".join(labels.get(n, n) for n in names))


def _choices(value: str, field_name: str) -> str:
    return ", ".join(choice_label(code, field_name) for code in value.split(", "))


def _term(name: str, value: str) -> str | None:
    """An internal code inside one of the engine's sentences (``wording.CODE``), in the reader's
    words: a stage by its title, a role by its name, a form's choice by its label, a field by
    its label.  A value a person typed (a role or a ground no form offers) stays as typed."""
    if name == "stage":  # the English sentence already says it in words, mid-sentence
        stage = value.replace(" ", "_")
        if language() == "en":
            return value
        return gettext(STAGE_BY_ID[stage].title) if stage in STAGE_BY_ID else None
    if name == "role":
        return str(ROLES[value]) if value in ROLES else gettext(value) if value == catalogue.NO_ROLE else value
    if name == "category":
        return choice_label(value, "offence_category")
    if name == "grounds":
        return _choices(value, "derogation_ground")
    if name == "derogation_ground":
        return choice_label(value, "derogation_ground") if value in catalogue.DEROGATION_GROUNDS else value
    if name == "delay_grounds":
        return _choices(value, "delay_ground")
    if name == "ground":
        return gettext(value) if value == catalogue.NO_GROUND else value
    if name == "ended_by":
        return _choices(value, "about_act")
    if name == "lacking":
        labels = {f.name: text(f.label) for f in catalogue.REASONABLE_TIME_EVIDENCE}
        names = value.split(", ")
        return ", ".join(labels[n] for n in names) if all(n in labels for n in names) else None
    return None


def reason(sentence: str, checkpoint_id: str | None = None) -> str:
    """One of the engine's sentences (a reason, a deadline's basis, an escalation), in the
    reader's words where we know them.

    A sentence with values in it is recognised by its message id (``engine.domain.wording``)
    and said again with the values in the reader's form (times in the configured zone); a fixed
    sentence is looked up by its English; ``evidence incomplete: a, b`` names the fields by their
    labels; anything else is shown as the engine wrote it (see ``reason_is_translated``)."""
    if not sentence:
        return ""
    own = lambda text: _evidence_missing(text, checkpoint_id)  # noqa: E731
    said = own(sentence) or wording.translate(sentence, gettext, _local, own, english=language() == "en",
                                              terms=_term)
    return said if said is not None else gettext(sentence)


def reason_is_translated(sentence: str, checkpoint_id: str | None = None) -> bool:
    return language() == "en" or reason(sentence, checkpoint_id) != sentence


def count(n: int, singular: str, plural: str, **values) -> str:
    """``1 refusal``, ``2 refusals``; Russian gets its three forms from the catalogue."""
    return ngettext(singular, plural, n, **values)
