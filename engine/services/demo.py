"""Demo data: users for every role and cases left in several stages, among them a refused
transition and an overridden checkpoint.  ``Driver`` is also what tests and benchmarks use to
walk a case through its forms."""
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ..domain import catalogue, custody, roles
from ..domain.errors import CheckpointBlocked
from ..persistence.models import User
from . import cases, procedure, processes, queries, rights, users
from .context import Actor, Habeas

DEMO_USERS = {"investigator": roles.INVESTIGATOR, "prosecutor": roles.PROSECUTOR,
              "supervisor": roles.SUPERVISING_PROSECUTOR, "judge": roles.JUDGE, "defence": roles.DEFENCE,
              "designer": roles.DESIGNER, "reviewer": roles.REVIEWER, "admin": roles.ADMIN,
              "trainee": roles.TRAINEE, "trainer": roles.TRAINER}
CONSOLE = Actor("console", roles.ADMIN)


def sample_value(field, now):
    """A plausible value for a form field, for demos and tests that do not care about it."""
    if field.type == "boolean":
        return False
    if field.type == "integer":
        return 1
    if field.type == "date":
        return "1990-05-17"
    if field.type == "datetime":
        return now.isoformat()
    if field.type == "choice":
        return field.choices[0]
    if field.name == "language":
        return "ru"
    return f"{field.label or field.name} (demo)"


class Driver:
    """Walks cases through their ready tasks as the user of each lane would."""

    def __init__(self, ctx: Habeas, actors: dict[str, Actor]):
        self.ctx, self.actors = ctx, actors

    def open(self, data: dict, **kwargs) -> int:
        return cases.open_case(self.ctx, self.actors[roles.INVESTIGATOR], "criminal_case", data,
                               prosecutor=self.actors[roles.PROSECUTOR].username, **kwargs)

    def view(self, case_id: int) -> dict:
        return queries.show_case(self.ctx, self.actors[roles.REVIEWER], case_id)

    def task(self, case_id: int, name: str, view: dict | None = None) -> dict:
        view = view or self.view(case_id)
        for task in view["tasks"]:
            if task["name"] == name:
                return task
        raise LookupError(f"task {name} is not ready; ready: {[t['name'] for t in view['tasks']]}")

    def complete(self, case_id: int, name: str, actor: Actor | None = None, **data):
        """Complete a ready task: given values, else what the case already knows, else a sample."""
        view = self.view(case_id)
        task = self.task(case_id, name, view)
        now = self.ctx.now()
        known = {**view["facts"], **data}
        filled = {f["name"]: known[f["name"]] if f["name"] in known else sample_value(_Field(f), now)
                  for f in task["form"] if f["required"] or f["name"] in known}
        actor = actor or self.actors[task["lane"]]
        return cases.complete_task(self.ctx, actor, case_id, task["id"], filled)

    def evidence(self, case_id: int, checkpoint: str, occurred_at=None, actor: Actor | None = None,
                 act: str | None = None, **data):
        now = self.ctx.now()
        fields = catalogue.get(checkpoint).evidence
        filled = {f.name: data[f.name] if f.name in data else sample_value(f, now)
                  for f in fields if f.required or f.name in data}
        return rights.record_evidence(self.ctx, actor or self.actors[roles.INVESTIGATOR], case_id, checkpoint,
                                      filled, occurred_at=occurred_at or now.isoformat(), act=act)


class _Field:
    def __init__(self, d: dict):
        self.name, self.type, self.label = d["name"], d["type"], d.get("label", "")
        self.choices = tuple(d.get("choices", ()))


def registration(now, **changes) -> dict:
    data = {"erdr_number": "241100031000123", "report_summary": "Theft of a mobile phone at the central market",
            "offence_article": "188 part 2", "offence_category": "medium", "jury_eligible": False,
            "suspect_name": "Arman Seitkali", "suspect_birth_date": "1994-02-11", "age_in_doubt": False,
            "suspect_citizenship": "KZ", "speaks_language_of_proceedings": "yes",
            "registered_at": (now - timedelta(days=3)).isoformat()}
    data.update(changes)
    speaks = data["speaks_language_of_proceedings"]
    if isinstance(speaks, bool):  # the older form's tick box
        data["speaks_language_of_proceedings"] = "yes" if speaks else "no"
    data.setdefault("suspect_language", "ru" if data["speaks_language_of_proceedings"] == "yes" else "uz")
    return data


def seed_users(ctx: Habeas) -> dict:
    """Create the demo users (once); return their passwords and tokens, shown only now."""
    created = {}
    with ctx.unit_of_work() as session:
        existing = set(session.execute(select(User.username)).scalars())
    for username, role in DEMO_USERS.items():
        if username in existing:
            continue
        password = secrets.token_urlsafe(9)
        token = users.add_user(ctx, CONSOLE, username, role, password=password, unit="Almaty City Prosecutor's Office")
        created[username] = {"role": role, "password": password, "api_token": token}
    return created


def run(ctx: Habeas, process_dir: Path) -> dict:
    """Seed users, deploy the process library and leave cases in several stages."""
    created = seed_users(ctx)
    designer = Actor("designer", roles.DESIGNER)
    deployed = [processes.deploy(ctx, designer, p.read_bytes()).to_dict() for p in sorted(process_dir.glob("*.bpmn"))]
    actors = {role: Actor(name, role) for name, role in DEMO_USERS.items()}
    driver = Driver(ctx, actors)
    demo_cases = {
        "at_trial": _case_at_trial(driver),
        "refused_for_want_of_counsel": _case_refused(driver),
        "interpreter_provided": _case_interpreted(driver),
        "terminated": _case_terminated(driver),
        "detained_awaiting_review": _case_awaiting_review(driver),
        "child_detained_and_released": _case_child_released(driver),
        "statement_under_derogation_flagged": _case_derogation(driver),
        "complaint_and_allegation": _case_complaint_and_allegation(driver),
    }
    from . import scheduler
    tick = scheduler.tick(ctx)  # the awaiting-review case's warnings are due already
    return {"users": created, "deployed": deployed, "cases": demo_cases, "tick": tick.to_dict()}


def _to_suspicion(d: Driver, case_id: int, detained: bool) -> None:
    now = d.ctx.now()
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain" if detained else "summon")
    if detained:
        d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=30)).isoformat())
        d.complete(case_id, "notify_family_consulate", family_member="Gulnara Seitkali (mother)", method="telephone",
                   family_notified_at=(now - timedelta(hours=29)).isoformat())
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    d.complete(case_id, "serve_suspicion_notice", signed=True)


def _counsel(d: Driver, case_id: int) -> None:
    now = d.ctx.now()
    d.evidence(case_id, "counsel_before_interrogation", lawyer_name="Aigerim Bekova", bar_number="AL-1187",
               requested_at=(now - timedelta(hours=3)).isoformat(),
               consulted_at=(now - timedelta(hours=2)).isoformat(), present_at_interrogation=True)
    d.evidence(case_id, "silence_caution", caution_given=True)


def _case_at_trial(d: Driver) -> int:
    case_id = d.open(registration(d.ctx.now()), defence=["defence"])
    _to_suspicion(d, case_id, detained=True)
    _counsel(d, case_id)
    d.evidence(case_id, "medical_examination")
    d.complete(case_id, "interrogate_suspect", another_interrogation=False)
    now = d.ctx.now()
    ordered = now - timedelta(hours=2)
    first_expiry = custody.first_term_limit(ordered, d.ctx.params)
    d.complete(case_id, "decide_custody", hearing_at=ordered.isoformat(), outcome="custody",
               order_number="IJ-2026-311", ordered_at=ordered.isoformat(), expires_at=first_expiry.isoformat())
    # a custody extension by the investigating judge on the prosecutor's petition, within the tier
    procedure.extend_custody(d.ctx, d.actors[roles.JUDGE], case_id, {
        "petition_at": (now - timedelta(hours=1)).isoformat(), "ordered_at": now.isoformat(),
        "extended_until": custody.add_months(ordered, 3).isoformat(),
        "order_number": "IJ-2026-344", "reasons": "Risk of absconding: no fixed address",
        "alternatives_considered": "House arrest refused: no fixed address"})
    d.complete(case_id, "notify_end_of_investigation")
    d.complete(case_id, "open_file_to_defence")
    d.complete(case_id, "review_file", indictment_decision="send_to_court")
    d.complete(case_id, "prelim_hearing", accused_choice="bench")
    return case_id


def _case_refused(d: Driver) -> int:
    case_id = d.open(registration(d.ctx.now(), suspect_name="Daniyar Omarov"))
    _to_suspicion(d, case_id, detained=False)
    try:
        d.complete(case_id, "interrogate_suspect")
    except CheckpointBlocked:
        pass  # the refusal is recorded in the trail and the report
    return case_id


def _interpreter(d: Driver, case_id: int, act: str) -> None:
    d.evidence(case_id, "interpreter", act=act, language="zh", interpreter_name="Wang Fang",
               qualification="sworn court interpreter, Almaty Regional Court list",
               translated_documents="notice of suspicion; letter of rights; interrogation protocol")


def _case_interpreted(d: Driver) -> int:
    """A foreigner who speaks no Kazakh or Russian: an interpreter at the notice and at the
    interrogation, and the letter of rights in Chinese (the interpreter cannot be overridden)."""
    case_id = d.open(registration(d.ctx.now(), suspect_name="Li Wei", suspect_citizenship="CN",
                                  speaks_language_of_proceedings="no", suspect_language="zh"))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="summon")
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    _interpreter(d, case_id, "suspicion_notice")
    d.complete(case_id, "serve_suspicion_notice", signed=True, language="zh")
    _counsel(d, case_id)
    _interpreter(d, case_id, "interrogation")
    d.complete(case_id, "interrogate_suspect", another_interrogation=False)
    return case_id


def _case_child_released(d: Driver) -> int:
    """A 15-year-old apprehended at night: the apprehension is recorded (the 24 h clock runs),
    nobody questions the child without the safeguards, and the child is released in time."""
    now = d.ctx.now()
    born = (now - timedelta(days=15 * 365 + 100)).date().isoformat()
    case_id = d.open(registration(now, suspect_name="Nurlan B. (a child)", suspect_birth_date=born))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=6)).isoformat())
    procedure.release(d.ctx, d.actors[roles.INVESTIGATOR], case_id, (now - timedelta(hours=1)).isoformat(),
                      "handed to his mother; no grounds to hold a child (CPC art 131)")
    return case_id


def _case_derogation(d: Driver) -> int:
    """An adult questioned under the temporary derogation from counsel (Directive 2013/48
    art 3(6)): allowed by the supervising prosecutor, and the statement is flagged."""
    case_id = d.open(registration(d.ctx.now(), suspect_name="Ruslan Abenov"))
    _to_suspicion(d, case_id, detained=False)
    d.evidence(case_id, "silence_caution", caution_given=True)
    procedure.derogate(d.ctx, d.actors[roles.SUPERVISING_PROSECUTOR], case_id,
                       "urgent_risk_to_life_liberty_or_physical_integrity",
                       "The suspect says a kidnapped child is held at an address he alone knows")
    d.complete(case_id, "interrogate_suspect", another_interrogation=False)
    return case_id


def _case_complaint_and_allegation(d: Driver) -> int:
    """Detained 10 hours ago; the defence says he was beaten at the police station and complains
    that the apprehension had no grounds: a referral task for the prosecutor, questioning waits
    for a medical examination, and the custody decision waits for the complaint's ruling."""
    from . import allegations, complaints
    now = d.ctx.now()
    defence = next((a for a in d.actors.values() if a.role == roles.DEFENCE), None)
    case_id = d.open(registration(now, suspect_name="Daniyar Omarov"), defence=[defence.username] if defence else [])
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=10)).isoformat())
    d.complete(case_id, "notify_family_consulate", family_member="Aigul Omarova (mother)", method="telephone",
               family_notified_at=(now - timedelta(hours=9)).isoformat())
    by = defence or d.actors[roles.INVESTIGATOR]
    allegations.record(d.ctx, by, case_id, {"description": "beaten with a baton at the police station on arrival",
                                            "alleged_at": (now - timedelta(hours=2)).isoformat()})
    complaints.file(d.ctx, by, case_id, {"act_complained_of": "apprehension without grounds under CPC art 128",
                                         "about_act": "apprehension", "complainant": "defence" if defence else "person",
                                         "learned_of_act_at": (now - timedelta(hours=10)).isoformat()})
    return case_id


def _case_terminated(d: Driver) -> int:
    case_id = d.open(registration(d.ctx.now(), suspect_name="Unknown person"))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="terminate")
    d.complete(case_id, "terminate_investigation")
    return case_id


def _case_awaiting_review(d: Driver) -> int:
    """Detained 47 hours ago and not yet before a judge: the judicial review is due in an hour,
    both warnings (12 h and 4 h before) have gone to the supervising prosecutor, and a tick after
    the 48th hour creates the mandatory-release task and the breach."""
    now = d.ctx.now()
    case_id = d.open(registration(now, suspect_name="Timur Zhaksylykov",
                                  registered_at=(now - timedelta(hours=48)).isoformat()))
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=47)).isoformat())
    d.complete(case_id, "notify_family_consulate", family_member="Saule Zhaksylykova (wife)", method="telephone",
               family_notified_at=(now - timedelta(hours=46)).isoformat())
    return case_id
