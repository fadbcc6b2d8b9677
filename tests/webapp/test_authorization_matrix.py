"""Who may do what: every endpoint of the app (API and pages, from ``app.url_map``) times every
role, against the table below.  A role in an endpoint's set must get past the access checks (any
answer but 401/403 or a redirect to the login page); every other role must get 403; nobody
logged in gets 401 (API) or the login page (pages).

The table is the access policy written down: change who may do what and this test fails until
the table says so too.  A new endpoint fails ``test_every_endpoint_is_in_the_matrix`` until it
gets a row: name its roles, and if it takes an argument not in ``SAMPLES`` add a sample there.
Requests that write use bodies that change nothing where they can (invalid on purpose: the
access check comes first), so one seeded world serves every row."""
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from engine.fixtures.demo import Driver, registration
from tests.conftest import ROLES, START, all_actors
from tests.webapp.api_support import api, counsel_evidence, fast_password_hashing, script_user, tokens  # noqa: F401
from tests.webapp.conftest import login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

EVERYONE = frozenset(ROLES)
PUBLIC = None                                     # no login needed at all
CASE_ACTORS = frozenset({"investigator", "prosecutor", "supervising_prosecutor", "judge", "defence"})
READERS = CASE_ACTORS | {"reviewer", "admin"}     # everyone but designers reads cases
OPENERS = frozenset({"investigator", "prosecutor", "supervising_prosecutor"})
SUPERVISOR = frozenset({"supervising_prosecutor"})
REPORT_READERS = frozenset({"reviewer", "admin", "supervising_prosecutor", "prosecutor"})
AUDIT_VERIFIERS = frozenset({"reviewer", "admin", "supervising_prosecutor"})
DESIGNERS = frozenset({"designer", "admin"})
INCIDENT_READERS = frozenset({"reviewer", "admin", "supervising_prosecutor"})
ADMIN = frozenset({"admin"})
PAGE_ACTORS = CASE_ACTORS - {"defence"}           # the pages give defence counsel read-only access
TRAINING = frozenset({"trainee", "trainer"})      # the training space; no live role enters it
TRAINER = frozenset({"trainer"})
COMMENTERS = PAGE_ACTORS                          # the officials working a case; not the defence
COMMENT_READERS = COMMENTERS | {"reviewer", "admin"}


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    roles: frozenset | None                       # None: public
    body: dict | Callable = field(default_factory=dict)  # test client keywords, or a function of the World


def json_body(payload) -> dict:
    return {"json": payload}


def form(**values) -> dict:
    return {"data": values}


# The sample ready task is 'draft_suspicion_decision', in the investigator's lane; the sample case
# has defence counsel 'defence' (pages) and 'script-defence' (API), so defence reads are allowed.
MATRIX = [
    # ---- JSON API -------------------------------------------------------------------------------
    Row("api.openapi_document", "GET", PUBLIC),
    Row("api.open_case", "POST", OPENERS, json_body({"process": "criminal_case", "data": {"_invalid": 1}})),
    Row("api.list_cases", "GET", READERS),
    Row("api.show_case", "GET", READERS),
    Row("api.case_audit", "GET", READERS),
    Row("api.complete_task", "POST", frozenset({"investigator"}), json_body({"data": {"not_a_field": 1}})),
    Row("api.check_task", "POST", CASE_ACTORS, json_body({"data": {}})),  # reads only
    Row("api.record_evidence", "POST", PAGE_ACTORS, json_body(counsel_evidence(START))),
    Row("api.override_checkpoint", "POST", SUPERVISOR | {"judge"},  # the court overrides at the court stages
        json_body({"checkpoint": "family_consular_notice", "reason": " ", "legal_ground": "matrix"})),
    Row("api.release", "POST", frozenset({"investigator", "prosecutor", "supervising_prosecutor", "judge"}),
        json_body({"ground": ""})),
    Row("api.extend_custody", "POST", frozenset({"judge"}), json_body({})),
    Row("api.requalify", "POST", frozenset({"investigator", "prosecutor"}), json_body({})),
    Row("api.derogate", "POST", SUPERVISOR, json_body({})),
    Row("api.resolve_escalation", "POST", SUPERVISOR, json_body({"resolution": " "})),
    Row("api.compliance_report", "GET", REPORT_READERS),
    Row("api.indicators_report", "GET", REPORT_READERS),
    Row("api.file_complaint", "POST", CASE_ACTORS, json_body({})),
    Row("api.list_complaints", "GET", READERS),
    Row("api.rule_on_complaint", "POST", frozenset({"judge", "prosecutor", "supervising_prosecutor"}), json_body({})),
    Row("api.record_allegation", "POST", CASE_ACTORS, json_body({})),
    Row("api.request_file_access", "POST", frozenset({"defence"}), json_body({"note": 5})),
    Row("api.refer_allegation", "POST", frozenset({"prosecutor", "supervising_prosecutor"}), json_body({})),
    Row("api.list_deadlines", "GET", READERS),
    Row("api.verify_audit", "GET", AUDIT_VERIFIERS),
    Row("api.list_processes", "GET", EVERYONE),
    Row("api.deploy_process", "POST", DESIGNERS, {"data": "<not-bpmn/>", "content_type": "application/xml"}),
    Row("api.list_pending_deployments", "GET", DESIGNERS),
    Row("api.confirm_deployment", "POST", DESIGNERS),
    Row("api.preview_migration", "GET", DESIGNERS | SUPERVISOR),
    Row("api.migrate_chosen_cases", "POST", DESIGNERS | SUPERVISOR, json_body({"cases": "none"})),
    # training (the sample case is a live one: players get 404 for it, never a live case's data)
    Row("api.training_scenarios", "GET", TRAINING),
    Row("api.training_scenario", "GET", TRAINING),
    Row("api.training_start", "POST", TRAINING),          # sample scenario 'no_such_scenario': 404
    Row("api.training_cases", "GET", TRAINING),
    Row("api.training_case", "GET", TRAINING),
    Row("api.training_step", "POST", TRAINING, json_body({"step": {"do": "nothing"}})),
    Row("api.training_debrief", "GET", TRAINING),
    Row("api.training_finish", "POST", TRAINING),
    Row("api.training_progress", "GET", TRAINER),
    Row("api.training_cohort", "GET", TRAINER),
    Row("api.training_jurors", "GET", TRAINING),
    Row("api.training_juror_answers", "POST", TRAINING, json_body({"answers": "not an object"})),
    # the inbox: a stale version passes the role checks and changes nothing
    Row("api.read_inbox", "GET", CASE_ACTORS),
    Row("api.claim_task", "POST", frozenset({"investigator"}), json_body({"version": 2**31 - 1})),
    Row("api.reassign_task", "POST", frozenset({"investigator", "supervising_prosecutor"}),
        json_body({"to": "investigator", "version": 2**31 - 1})),
    Row("api.list_comments", "GET", COMMENT_READERS),
    Row("api.add_comment", "POST", COMMENTERS, json_body({"body": ""})),
    Row("api.list_incidents", "GET", INCIDENT_READERS),
    Row("api.retry_incident", "POST", ADMIN),       # no such incident: 404 for the admin
    Row("api.repair_incident", "POST", ADMIN),
    Row("api.resolve_incident", "POST", ADMIN, json_body({"note": "matrix"})),
    # ---- pages: shell ---------------------------------------------------------------------------
    Row("health", "GET", PUBLIC),
    Row("home", "GET", EVERYONE),
    Row("auth.login", "GET", PUBLIC),
    Row("auth.login", "POST", PUBLIC, form(username="nobody", password="wrong")),
    Row("auth.logout", "POST", PUBLIC),
    # ---- pages: cases (web/cases) ---------------------------------------------------------------
    Row("cases.dashboard", "GET", CASE_ACTORS),
    Row("cases.new_case", "GET", OPENERS),
    Row("cases.new_case", "POST", OPENERS, form()),
    Row("cases.case", "GET", READERS),
    Row("cases.diagram", "GET", READERS),
    Row("cases.task", "GET", CASE_ACTORS),        # shown to every actor; completing is for its lane
    Row("cases.task", "POST", frozenset({"investigator"}), lambda world: form(version=world.version())),
    Row("cases.task_check", "POST", CASE_ACTORS, form(protocol_number="P-1")),  # reads only; keeps a draft
    Row("cases.task_evidence", "POST", PAGE_ACTORS, form(occurred_at="not a time")),
    Row("cases.evidence", "GET", PAGE_ACTORS),
    Row("cases.evidence", "POST", PAGE_ACTORS, form(occurred_at="not a time")),
    Row("cases.override", "GET", SUPERVISOR | {"judge"}),
    Row("cases.override", "POST", SUPERVISOR | {"judge"}, form(reason="", legal_ground="")),
    Row("cases.resolve_escalation", "POST", SUPERVISOR, form(resolution="")),
    Row("cases.release", "POST", PAGE_ACTORS, form(ground="")),
    Row("cases.extend_custody", "POST", frozenset({"judge"}), form()),
    Row("cases.requalify", "POST", frozenset({"investigator", "prosecutor"}), form(qualification="")),
    Row("cases.derogate", "POST", SUPERVISOR, form(ground="", reason="")),
    Row("cases.file_complaint", "GET", CASE_ACTORS),
    Row("cases.file_complaint", "POST", CASE_ACTORS, form(act_complained_of="")),
    Row("cases.record_allegation", "GET", CASE_ACTORS),
    Row("cases.record_allegation", "POST", CASE_ACTORS, form(description="")),
    Row("cases.request_file_access", "POST", frozenset({"defence"}), form(note="x" * 4001)),
    Row("cases.inbox_page", "GET", CASE_ACTORS),
    Row("cases.claim_task", "POST", frozenset({"investigator"}), form(version=2**31 - 1)),
    Row("cases.reassign_task", "POST", frozenset({"investigator", "supervising_prosecutor"}),
        form(to="investigator", version=2**31 - 1)),
    Row("cases.comment", "POST", COMMENTERS, form(body="")),
    Row("cases.refer_allegation", "POST", frozenset({"prosecutor", "supervising_prosecutor"}), form(referred_to="")),
    # ---- pages: compliance (web/reviewer) -------------------------------------------------------
    Row("reviewer.dashboard", "GET", REPORT_READERS),
    Row("reviewer.export_csv", "GET", REPORT_READERS),
    Row("reviewer.export_xlsx", "GET", REPORT_READERS),
    Row("reviewer.export_json", "GET", REPORT_READERS),
    Row("reviewer.cases", "GET", REPORT_READERS),
    Row("reviewer.case_audit", "GET", REPORT_READERS),
    # ---- pages: incidents (web/incidents) -------------------------------------------------------
    Row("incidents.index", "GET", INCIDENT_READERS),
    Row("incidents.act", "POST", ADMIN, form(note="matrix")),   # no such incident: a flash, for the admin
    # ---- pages: process designer (web/designer) -------------------------------------------------
    Row("designer.index", "GET", DESIGNERS),
    Row("designer.view", "GET", DESIGNERS),
    Row("designer.bpmn", "GET", DESIGNERS),
    Row("designer.edit", "GET", DESIGNERS),
    Row("designer.diff", "GET", DESIGNERS),
    Row("designer.migrate", "GET", DESIGNERS),
    Row("designer.confirm_migration", "POST", DESIGNERS, form(to_version="not a number")),
    Row("designer.run_migration", "POST", DESIGNERS, form(to_version="not a number")),
    Row("designer.check", "POST", DESIGNERS, form(bpmn="<not-bpmn/>")),
    Row("designer.compare", "POST", DESIGNERS, form(bpmn="<not-bpmn/>")),
    Row("designer.deploy", "POST", DESIGNERS, form(bpmn="<not-bpmn/>")),
    # ---- pages: training (web/training) ---------------------------------------------------------
    Row("training.index", "GET", TRAINING),
    Row("training.scenario", "GET", TRAINER),
    Row("training.start", "POST", TRAINING),
    Row("training.case", "GET", TRAINING),
    Row("training.task", "POST", TRAINING, form()),
    Row("training.evidence", "POST", TRAINING, form()),
    Row("training.advance", "POST", TRAINING, form(hours="not a number")),
    Row("training.act", "POST", TRAINING, form()),
    Row("training.finish", "POST", TRAINING),
    Row("training.debrief", "GET", TRAINING),
    Row("training.progress", "GET", TRAINER),
    Row("training.export", "GET", TRAINER),
    Row("training.jurors", "GET", TRAINING),
    Row("training.jurors", "POST", TRAINING, form()),
]

SKIPPED = {"static"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def registered(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED
            for method in rule.methods - IGNORED_METHODS}


def test_every_endpoint_is_in_the_matrix(app):
    listed = {(row.endpoint, row.method) for row in MATRIX}
    missing = sorted(registered(app) - listed)
    assert not missing, ("endpoints with no row in the authorization matrix; add a Row for each to MATRIX in "
                         f"tests/webapp/test_authorization_matrix.py: {missing}")
    assert len(listed) == len(MATRIX), "an endpoint and method is listed twice"


# ---- the sample world: one case with a ready task, defence counsel and an open escalation ------

@dataclass
class World:
    driver: Driver
    case_id: int
    task_id: str
    escalation_id: int

    def version(self) -> int:
        return self.driver.view(self.case_id)["version"]


@pytest.fixture
def world(app, habeas, tokens) -> World:
    actors = all_actors()
    driver = Driver(habeas, actors)
    now = habeas.now()
    case_id = driver.open(registration(now), defence=["defence", script_user("defence")])
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=30)).isoformat())
    driver.complete(case_id, "notify_family_consulate", family_member="Gulnara Seitkali (mother)",
                    method="telephone", family_notified_at=(now - timedelta(hours=5)).isoformat())
    view = driver.view(case_id)
    [task] = view["tasks"]
    assert task["name"] == "draft_suspicion_decision" and task["lane"] == "investigator"
    [escalation] = view["escalations"]
    return World(driver, case_id, task["id"], escalation["id"])


def samples(world: World) -> dict:
    """A value for each URL argument the app's rules take."""
    return {"case_id": world.case_id, "task_id": world.task_id, "escalation_id": world.escalation_id,
            "checkpoint": "family_consular_notice", "process_id": "criminal_case", "version": 1,
            "pending_id": 999, "incident_id": 999, "act": "resolve", "complaint_id": 1, "allegation_id": 1,
            "scenario_id": "no_such_scenario", "format": "xlsx", "task_name": "draft_suspicion_decision", "kind": "release"}


def url_for_row(app, row: Row, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == row.endpoint and row.method in r.methods)
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{row.endpoint}: add a sample value for {sorted(unknown)} to samples()"
    with app.test_request_context():
        from flask import url_for
        return url_for(row.endpoint, **{name: values[name] for name in rule.arguments})


# ---- who is let through ----------------------------------------------------------------------

def csrf_from(client) -> str:
    page = client.get("/login").get_data(as_text=True) if not client.get_cookie("session") else \
        client.get("/", follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def page_client(app, role: str | None):
    client = app.test_client()
    username = {"supervising_prosecutor": "supervisor"}.get(role, role)
    if role is not None:
        login(client, username)
    return client, csrf_from(client)


def call(app, row: Row, url: str, role: str | None, api, world: World) -> object:
    body = row.body(world) if callable(row.body) else row.body
    if row.endpoint.startswith("api."):
        return getattr(api.client, row.method.lower())(url, headers=api.headers(role), **body)
    client, token = page_client(app, role)
    return getattr(client, row.method.lower())(url, headers={"X-CSRFToken": token}, **body)


def outcome(row: Row, response) -> str:
    """'allowed', 'forbidden' or 'unauthenticated' as the answer shows it.  A public endpoint may
    answer anything but 403 (the login form answers a wrong password with 401)."""
    if response.status_code == 403:
        return "forbidden"
    if row.roles is PUBLIC:
        return "allowed"
    if response.status_code == 401 or (response.status_code == 302 and "/login" in response.headers["Location"]):
        return "unauthenticated"
    return "allowed"


def expected(row: Row, role: str | None) -> str:
    if row.roles is PUBLIC:
        return "allowed"
    if role is None:
        return "unauthenticated"
    return "allowed" if role in row.roles else "forbidden"


def test_each_role_is_let_through_exactly_where_the_matrix_says(app, api, world):
    present = registered(app)
    values = samples(world)
    mismatches = []
    for row in MATRIX:
        if (row.endpoint, row.method) not in present:
            continue  # not built yet: test_every_endpoint_is_in_the_matrix catches the reverse
        url = url_for_row(app, row, values)
        for role in (*ROLES, None):
            response = call(app, row, url, role, api, world)
            assert response.status_code < 500, (row, role, response.get_data(as_text=True)[:300])
            got, want = outcome(row, response), expected(row, role)
            if got != want:
                mismatches.append(f"{row.method} {url} ({row.endpoint}) as {role or 'nobody'}: "
                                  f"expected {want}, got {got} ({response.status_code})")
    assert not mismatches, "\n".join(mismatches)


def test_unauthenticated_calls_get_401_from_the_api_and_the_login_page_elsewhere(app, api, world):
    values = samples(world)
    for row in MATRIX:
        if row.roles is PUBLIC or (row.endpoint, row.method) not in registered(app):
            continue
        url = url_for_row(app, row, values)
        response = call(app, row, url, None, api, world)
        if row.endpoint.startswith("api."):
            assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated", url
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (row, response.status_code)
