"""The case pages with the Flask test client, on SQLite and PostgreSQL: the dashboard per role,
the case page, task forms (validation, refusal, stale version), evidence, overrides, escalations,
and the defence lawyer's read-only access."""
import re
from datetime import timedelta

import pytest

from engine.domain.errors import CheckpointBlocked
from engine.services import cases, queries
from engine.fixtures import demo
from tests.webapp.conftest import csrf_token


@pytest.fixture
def driver(seeded, actors):
    return demo.Driver(seeded, actors)


def _to_interrogation(d, **registration) -> int:
    """A summoned suspect, notified of the suspicion: the interrogation is the next task."""
    case_id = d.open(demo.registration(d.ctx.now(), **registration), defence=["defence"])
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="summon")
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    language = registration.get("suspect_language", "ru")
    if registration.get("speaks_language_of_proceedings") is False:
        d.evidence(case_id, "interpreter", language=language)  # for the notice, the act waiting
    d.complete(case_id, "serve_suspicion_notice", signed=True, language=language)
    return case_id


def _task_id(d, case_id, name) -> str:
    return d.task(case_id, name)["id"]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


# ---- dashboard --------------------------------------------------------------------------------

@pytest.fixture
def two_cases(driver, seeded, actors):
    """A: opened by the investigator, prosecutor 'prosecutor', defence 'defence', waiting for the
    investigator.  B: opened by the supervisor as its own prosecutor, waiting for the prosecutor."""
    now = seeded.now()
    a = driver.open(demo.registration(now, suspect_name="Alpha Suspect"), defence=["defence"])
    b = cases.open_case(seeded, actors["supervising_prosecutor"], "criminal_case",
                        demo.registration(now, suspect_name="Bravo Suspect"), prosecutor="supervisor")
    driver.complete(b, "register_report")
    driver.complete(b, "open_investigation", next_step="summon")
    driver.complete(b, "draft_suspicion_decision")
    return a, b


SHOWN_ON_DASHBOARD = {
    "prosecutor": {"Alpha Suspect"},          # cases where they are the prosecutor
    "defence": {"Alpha Suspect"},             # only where they are counsel
    "supervisor": {"Alpha Suspect", "Bravo Suspect"},  # every open case
    "investigator": {"Alpha Suspect"},        # opened by them or waiting in their lane
    "judge": set(),                           # nothing waits in the judge's lane
}


def test_dashboard_lists_each_roles_own_cases(login_as, two_cases):
    for username, shown in SHOWN_ON_DASHBOARD.items():
        page = _text(login_as(username).get("/cases/"))
        for name in ("Alpha Suspect", "Bravo Suspect"):
            assert (name in page) == (name in shown), (username, name)


def test_dashboard_shows_next_tasks_with_lanes_and_the_wider_scope(login_as, two_cases):
    client = login_as("investigator")
    page = _text(client.get("/cases/"))
    assert "Register the report in the ERDR" in page and 'class="lane lane-investigator"' in page
    assert "Open a new case" in page
    everything = _text(client.get("/cases/?scope=all"))
    assert "Bravo Suspect" in everything and "Approve the suspicion decision" in everything
    assert 'class="lane lane-prosecutor"' in everything
    for username in ("judge", "defence"):
        other = login_as(username)
        assert "Open a new case" not in _text(other.get("/cases/"))
        assert other.get("/cases/new").status_code == 403
    assert login_as("designer").get("/cases/").status_code == 403


def test_dashboard_highlights_deadlines_under_12_hours_and_blocked_items(login_as, driver, clock):
    now = clock.now()
    case_id = driver.open(demo.registration(now, suspect_citizenship="CN"))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=40)).isoformat())
    page = _text(login_as("prosecutor").get("/cases/"))
    row = page[page.index(f'data-case="{case_id}"'):]
    assert 'class="case-row urgent-row"' in page
    assert re.search(r'countdown urgent"\s+data-due="[^"]+">8\.0 h left', row)   # 48 h limit, 40 h gone
    assert "Escalated: family told of detention" in row and "non compliant" in row


def test_dashboard_shows_a_refusal_while_the_refused_task_still_waits(login_as, driver):
    case_id = _to_interrogation(driver)
    with pytest.raises(CheckpointBlocked):
        driver.complete(case_id, "interrogate_suspect")
    page = _text(login_as("investigator").get("/cases/"))
    assert "Refused: <em>Interrogate the suspect</em> — not shown: a lawyer from the first questioning" in page


# ---- opening a case ---------------------------------------------------------------------------

def test_new_case_form_validates_then_opens_the_case(login_as, seeded, actors):
    client = login_as("investigator")
    page = _text(client.get("/cases/new"))
    assert 'name="erdr_number"' in page and 'data-kind="datetime"' in page
    refused = _post(client, "/cases/new", {"suspect_name": "Gulnara Test", "suspect_birth_date": "31.02.1994",
                                           "prosecutor": "prosecutor"})
    assert refused.status_code == 422
    body = _text(refused)
    assert re.search(r'id="f-erdr_number-error">[^<]*required', body, re.I)
    assert re.search(r'id="f-suspect_birth_date-error">[^<]*date', body, re.I)
    assert 'value="Gulnara Test"' in body and 'value="31.02.1994"' in body
    assert queries.list_cases(seeded, actors["reviewer"]) == []
    data = {k: v for k, v in demo.registration(seeded.now()).items() if not isinstance(v, bool)}
    data.update(registered_at="2026-03-02T12:30", speaks_language_of_proceedings="yes", prosecutor="prosecutor",
                defence="defence")
    opened = _post(client, "/cases/new", data)
    assert opened.status_code == 302
    case_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    assert view["prosecutor"] == "prosecutor" and view["defence"] == ["defence"]
    assert view["facts"]["registered_at"] == "2026-03-02T07:30:00+00:00"  # entered in Asia/Almaty (UTC+5)
    assert view["facts"]["speaks_language_of_proceedings"] == "yes" and view["facts"]["suspect_language"] == "ru"


# ---- the case page ----------------------------------------------------------------------------

def test_case_page_shows_diagram_rights_timeline_and_audit(login_as, driver):
    case_id = _to_interrogation(driver)
    with pytest.raises(CheckpointBlocked):
        driver.complete(case_id, "interrogate_suspect")
    client = login_as("investigator")
    page = _text(client.get(f"/cases/{case_id}"))
    assert f'data-diagram-url="/cases/{case_id}/diagram.xml?lang=en"' in page
    marks = re.search(r'<script type="application/json" id="case-diagram-marks">(.*?)</script>', page, re.S).group(1)
    assert '"ready": ["interrogate_suspect"]' in marks and '"serve_suspicion_notice"' in marks
    panel = page[page.index('id="rights"'):page.index('id="timeline"')]
    counsel = panel[panel.index('id="cp-counsel_before_interrogation"'):]
    counsel = counsel[:counsel.index("</tr>")]
    assert "a lawyer from the first questioning" in counsel and "Salduz v Turkey" in counsel
    assert "status-pending" in counsel and "missing: Lawyer, Bar number" in counsel
    assert f"/cases/{case_id}/evidence/counsel_before_interrogation" in counsel
    rights = panel[panel.index('id="cp-rights_information"'):]
    assert "status-passed" in rights[:rights.index("</tr>")] and "recorded by investigator" in rights
    assert "Recognition as suspect" in page[page.index('id="timeline"'):]
    audit = page[page.index('id="audit"'):]
    assert "audit-case-opened" in audit and "audit-task-refused" in audit
    assert "case opened" in audit and "step refused" in audit  # people read words, not action codes
    xml = client.get(f"/cases/{case_id}/diagram.xml")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert b'id="interrogate_suspect"' in xml.data


# ---- task forms -------------------------------------------------------------------------------

def test_task_form_is_built_from_the_form_definition_with_prefilled_facts(login_as, driver):
    case_id = driver.open(demo.registration(driver.ctx.now()))
    task_id = _task_id(driver, case_id, "register_report")
    page = _text(login_as("investigator").get(f"/cases/{case_id}/tasks/{task_id}"))
    assert '<textarea id="f-report_summary"' in page and "Complete the task" in page
    assert '<select id="f-offence_category"' in page and '<option value="medium" selected>' in page
    assert 'id="f-suspect_birth_date"' in page and 'value="11.02.1994"' in page  # dd.mm.yyyy
    assert '<select id="f-speaks_language_of_proceedings"' in page  # asked, never a silent unticked box
    assert 'id="f-registered_at"' in page and 'data-kind="datetime"' in page
    assert 'value="27.02.2026 14:00"' in page  # 09:00 UTC three days ago, shown in Asia/Almaty, 24-hour
    assert 'name="version" value="1"' in page
    judge_view = _text(login_as("judge").get(f"/cases/{case_id}/tasks/{task_id}"))
    assert "This task is for the investigator" in judge_view and 'name="version"' not in judge_view


def test_task_form_errors_are_inline_and_the_data_is_kept(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    _record_counsel(driver, case_id)
    task_id = _task_id(driver, case_id, "interrogate_suspect")
    client = login_as("investigator")
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    response = _post(client, f"/cases/{case_id}/tasks/{task_id}",
                     {"protocol_number": "P-77", "started_at": "yesterday", "version": version})
    assert response.status_code == 422
    body = _text(response)
    assert re.search(r'id="f-started_at-error">[^<]*(datetime|date)', body, re.I)
    assert re.search(r'id="f-ended_at-error">[^<]*required', body, re.I)
    assert 'value="P-77"' in body and 'value="yesterday"' in body
    after = queries.show_case(seeded, actors["reviewer"], case_id)
    assert after["version"] == version and after["tasks"][0]["name"] == "interrogate_suspect"


def test_a_refused_transition_names_the_right_its_basis_and_links_to_the_evidence_form(login_as, driver, seeded,
                                                                                       actors):
    case_id = _to_interrogation(driver)
    task_id = _task_id(driver, case_id, "interrogate_suspect")
    client = login_as("investigator")
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    response = _post(client, f"/cases/{case_id}/tasks/{task_id}",
                     {"protocol_number": "P-1", "started_at": "2026-03-02T13:00", "ended_at": "2026-03-02T13:50",
                      "version": version})
    assert response.status_code == 409
    body = _text(response)
    panel = body[body.index('class="card alert refusal"'):body.index('id="task-title"')]
    assert "Interrogation of the suspect" in panel and "a lawyer from the first questioning" in panel
    assert "Salduz v Turkey (2008)" in panel
    assert "Evidence missing:</span> Lawyer, Bar number, Private consultation at" in panel
    link = f'/cases/{case_id}/evidence/counsel_before_interrogation?next=/cases/{case_id}/tasks/{task_id}'
    assert f'href="{link}"' in panel.replace("%2F", "/")
    assert 'value="P-1"' in body and 'value="2026-03-02T13:00"' in body
    assert queries.show_case(seeded, actors["reviewer"], case_id)["version"] == version


def test_a_stale_form_gets_a_conflict_and_changes_nothing(login_as, driver, seeded, actors):
    case_id = driver.open(demo.registration(driver.ctx.now()))
    driver.complete(case_id, "register_report")
    task_id = _task_id(driver, case_id, "open_investigation")
    before = queries.show_case(seeded, actors["reviewer"], case_id)
    client = login_as("investigator")
    response = _post(client, f"/cases/{case_id}/tasks/{task_id}",
                     {"investigation_form": "full", "next_step": "summon", "version": before["version"] - 1})
    assert response.status_code == 409
    body = _text(response)
    assert "The case changed meanwhile" in body and "Nothing was saved" in body
    assert '<option value="summon" selected>' in body
    after = queries.show_case(seeded, actors["reviewer"], case_id)
    assert after["version"] == before["version"] and after["tasks"] == before["tasks"]
    assert not any(e["action"] == "task.completed" and e["payload"]["task_id"] == task_id
                   for e in queries.case_audit(seeded, actors["reviewer"], case_id))


def test_a_completed_task_redirects_to_the_case_with_what_happened(login_as, driver, seeded, actors):
    case_id = driver.open(demo.registration(driver.ctx.now()))
    driver.complete(case_id, "register_report")
    task_id = _task_id(driver, case_id, "open_investigation")
    client = login_as("investigator")
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    response = _post(client, f"/cases/{case_id}/tasks/{task_id}",
                     {"investigation_form": "full", "next_step": "summon", "version": version})
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case_id}"
    page = _text(client.get(f"/cases/{case_id}"))
    assert "Done: Open the pre-trial investigation." in page
    assert queries.show_case(seeded, actors["reviewer"], case_id)["tasks"][0]["name"] == "draft_suspicion_decision"
    again = _post(client, f"/cases/{case_id}/tasks/{task_id}",
                  {"investigation_form": "full", "next_step": "summon", "version": version + 1})
    assert again.status_code == 409 and "no longer waiting" in _text(again)


# ---- evidence ---------------------------------------------------------------------------------

def _record_counsel(d, case_id):
    now = d.ctx.now()
    d.evidence(case_id, "counsel_before_interrogation", lawyer_name="Aigerim Bekova", bar_number="AL-1187",
               requested_at=(now - timedelta(hours=3)).isoformat(),
               consulted_at=(now - timedelta(hours=2)).isoformat(), present_at_interrogation=True)


def test_evidence_form_records_the_fact_in_utc_and_goes_back_to_the_refused_task(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    task_id = _task_id(driver, case_id, "interrogate_suspect")
    client = login_as("investigator")
    path = f"/cases/{case_id}/evidence/counsel_before_interrogation"
    page = _text(client.get(f"{path}?next=/cases/{case_id}/tasks/{task_id}"))
    assert "Lawyer" in page and "Bar number" in page and "When did it happen" in page
    assert "Salduz v Turkey" in page and f'name="next" value="/cases/{case_id}/tasks/{task_id}"' in page
    bad = _post(client, path, {"lawyer_name": "Aigerim Bekova", "consulted_at": "soon",
                               "next": f"/cases/{case_id}/tasks/{task_id}"})
    assert bad.status_code == 422
    assert re.search(r'id="f-consulted_at-error">', _text(bad)) and 'value="Aigerim Bekova"' in _text(bad)
    good = _post(client, path, {"lawyer_name": "Aigerim Bekova", "bar_number": "AL-1187",
                                "consulted_at": "2026-03-02T13:00", "present_at_interrogation": "on",
                                "next": f"/cases/{case_id}/tasks/{task_id}"})
    assert good.status_code == 302 and good.headers["Location"] == f"/cases/{case_id}/tasks/{task_id}"
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    record = [e for e in view["evidence"] if e["checkpoint"] == "counsel_before_interrogation"][-1]
    assert record["data"]["consulted_at"] == "2026-03-02T08:00:00+00:00"
    assert record["occurred_at"].startswith("2026-03-02T08:00:00")
    assert {c["id"]: c["status"] for c in view["checkpoints"]}["counsel_before_interrogation"] == "passed"
    elsewhere = _post(client, f"/cases/{case_id}/evidence/silence_caution",
                      {"caution_given": "on", "cautioned_at": "2026-03-02T13:00", "recording_reference": "REC-1",
                       "next": "https://evil.example/"})
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == f"/cases/{case_id}#rights"
    assert client.get(f"/cases/{case_id}/evidence/no_such_right").status_code == 404




# ---- overrides and escalations ----------------------------------------------------------------

def test_supervisor_overrides_where_the_rule_allows(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver, suspect_citizenship="CN", speaks_language_of_proceedings=False,
                                suspect_language="zh")
    client = login_as("supervisor")
    page = _text(client.get(f"/cases/{case_id}"))
    assert f"/cases/{case_id}/overrides/interpreter" not in page  # an absolute right: no override offered
    assert f"/cases/{case_id}/overrides/counsel_before_interrogation" not in page
    assert "only by the person" in _text(client.get(f"/cases/{case_id}/overrides/counsel_before_interrogation"))
    assert "admits no override" in _text(client.get(f"/cases/{case_id}/overrides/interpreter"))
    assert _post(client, f"/cases/{case_id}/overrides/interpreter",
                 {"reason": "No interpreter reachable today", "legal_ground": "CPC art 192"}).status_code == 403
    path = f"/cases/{case_id}/overrides/family_consular_notice"
    refused = _post(client, path, {"reason": "", "legal_ground": "CPC 135"})
    assert refused.status_code == 422 and 'value="CPC 135"' in _text(refused)
    done = _post(client, path, {"reason": "Family abroad, unreachable", "legal_ground": "CPC art 135"})
    assert done.status_code == 302
    assert any(e["action"] == "checkpoint.overridden" for e in queries.case_audit(seeded, actors["reviewer"], case_id))
    assert login_as("investigator").get(path).status_code == 403


def test_supervisor_resolves_an_escalation(login_as, driver, seeded, actors, clock):
    now = clock.now()
    case_id = driver.open(demo.registration(now))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=40)).isoformat())
    escalation = queries.show_case(seeded, actors["reviewer"], case_id)["escalations"][0]
    client = login_as("supervisor")
    page = _text(client.get(f"/cases/{case_id}"))
    path = f"/cases/{case_id}/escalations/{escalation['id']}/resolve"
    assert f'action="{path}"' in page
    assert _post(login_as("investigator"), path, {"resolution": "x"}).status_code == 403
    empty = _post(client, path, {"resolution": " "})
    assert empty.status_code == 302 and "Not resolved" in _text(client.get(f"/cases/{case_id}"))
    assert _post(client, path, {"resolution": "Family told late; officer reprimanded"}).status_code == 302
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    assert view["escalations"][0]["status"] == "resolved" and not view["non_compliant"]


# ---- defence ----------------------------------------------------------------------------------

def test_defence_reads_only_their_own_cases_and_acts_only_in_their_lane(login_as, two_cases, driver, seeded,
                                                                           actors):
    own, other = two_cases
    client = login_as("defence")
    assert client.get(f"/cases/{other}").status_code == 403
    assert client.get(f"/cases/{other}/diagram.xml").status_code == 403
    denied = [e for e in queries.case_audit(seeded, actors["reviewer"], other) if e["action"] == "access.denied"]
    assert [(e["actor"], e["payload"]["attempted"]) for e in denied] == [("defence", "case.read"),
                                                                        ("defence", "case.diagram")]
    page = _text(client.get(f"/cases/{own}"))
    assert "file complaints" in page and "/tasks/" not in page and "/evidence/" not in page
    assert f"/cases/{own}/complaints/new" in page and f"/cases/{own}/allegations/new" in page
    assert any(e["action"] == "case.read" and e["actor"] == "defence"
               for e in queries.case_audit(seeded, actors["reviewer"], own))
    task_id = _task_id(driver, own, "register_report")
    version = queries.show_case(seeded, actors["reviewer"], own)["version"]
    token = csrf_token(client, "/cases/")
    assert client.post(f"/cases/{own}/tasks/{task_id}", data={"csrf_token": token, "version": version}).status_code == 403
    assert client.post(f"/cases/{own}/evidence/counsel_before_interrogation",
                       data={"csrf_token": token, "lawyer_name": "x"}).status_code == 403
    assert queries.show_case(seeded, actors["reviewer"], own)["version"] == version


# ---- detention and custody: the acts beside the diagram ---------------------------------------

def test_a_held_person_can_be_released_from_the_case_page(login_as, driver, seeded, actors, clock):
    now = clock.now()
    case_id = driver.open(demo.registration(now))
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=3)).isoformat())
    client = login_as("investigator")
    page = _text(client.get(f"/cases/{case_id}"))
    assert 'id="liberty"' in page and "Detention 1" in page and f'action="/cases/{case_id}/release"' in page
    assert f'action="/cases/{case_id}/release"' not in _text(login_as("reviewer").get(f"/cases/{case_id}"))
    empty = _post(client, f"/cases/{case_id}/release", {"ground": " "})
    assert empty.status_code == 302 and "Not recorded" in _text(client.get(f"/cases/{case_id}"))
    done = _post(client, f"/cases/{case_id}/release", {"ground": "no grounds to hold", "released_at": ""})
    assert done.status_code == 302
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    assert [e["status"] for e in view["episodes"]] == ["released"]
    assert f'action="/cases/{case_id}/release"' not in _text(client.get(f"/cases/{case_id}"))


def test_defence_files_a_complaint_and_an_allegation_from_the_case_page(login_as, two_cases, seeded, actors):
    own, _ = two_cases
    client = login_as("defence")
    token = csrf_token(client, f"/cases/{own}/complaints/new")
    refused = client.post(f"/cases/{own}/complaints/new", data={"csrf_token": token, "act_complained_of": ""})
    assert refused.status_code == 422 and "f-act_complained_of-error" in _text(refused)
    assert queries.show_case(seeded, actors["reviewer"], own)["complaints"] == []
    filed = client.post(f"/cases/{own}/complaints/new", data={
        "csrf_token": token, "act_complained_of": "search without a warrant", "learned_of_act_at": "2026-03-01T10:00"})
    assert filed.status_code == 302
    alleged = client.post(f"/cases/{own}/allegations/new", data={"csrf_token": token,
                                                                "description": "slapped during the search"})
    assert alleged.status_code == 302
    asked = client.post(f"/cases/{own}/file-access-requests", data={"csrf_token": token, "note": "volume 2"})
    assert asked.status_code == 302
    view = queries.show_case(seeded, actors["reviewer"], own)
    assert [c["complainant"] for c in view["complaints"]] == ["defence"]
    assert [a["made_by"] for a in view["allegations"]] == ["defence"]
    assert {e["kind"] for e in view["escalations"]} >= {"referral", "request"}
    prosecutor = login_as("prosecutor")
    [allegation] = view["allegations"]
    assert f"/allegations/{allegation['id']}/referral" in _text(prosecutor.get(f"/cases/{own}"))
    assert f"/allegations/{allegation['id']}/referral" not in _text(client.get(f"/cases/{own}"))
    empty = _post(prosecutor, f"/cases/{own}/allegations/{allegation['id']}/referral", {"referred_to": " "})
    assert empty.status_code == 302 and "Not recorded: Referred to: required" in _text(prosecutor.get(f"/cases/{own}"))
    done = _post(prosecutor, f"/cases/{own}/allegations/{allegation['id']}/referral",
                 {"referred_to": "regional prosecutor, special unit"})
    assert done.status_code == 302
    [referred] = queries.show_case(seeded, actors["reviewer"], own)["allegations"]
    assert referred["referred_to"] == "regional prosecutor, special unit"


def test_defence_lodges_the_appeal_from_its_case_page(login_as, driver, seeded, actors):
    from tests.integration.test_case_paths import counsel, to_indictment, to_suspicion
    case_id = driver.open(demo.registration(seeded.now()), defence=["defence"])
    to_suspicion(driver, case_id)
    counsel(driver, case_id)
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    to_indictment(driver, case_id)
    driver.complete(case_id, "review_file", indictment_decision="send_to_court")
    driver.complete(case_id, "prelim_hearing", hearing_decision="set_trial")
    driver.complete(case_id, "conduct_trial", trial_form="bench")
    driver.complete(case_id, "pronounce_verdict", verdict="convicted", verdict_pronounced_at=seeded.now().isoformat())
    driver.complete(case_id, "serve_verdict", appeal_lodged=True, rights_explained=True,
                    copy_served_at=seeded.now().isoformat())
    client = login_as("defence")
    task_id = _task_id(driver, case_id, "lodge_appeal")
    assert f"/cases/{case_id}/tasks/{task_id}" in _text(client.get(f"/cases/{case_id}"))
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    lodged = _post(client, f"/cases/{case_id}/tasks/{task_id}",
                   {"version": version, "grounds": "sentence too severe", "lodged_at": "2026-03-02T14:00"})
    assert lodged.status_code == 302, _text(lodged)
    assert "lodge_appeal" not in {t["name"] for t in queries.show_case(seeded, actors["reviewer"], case_id)["tasks"]}
