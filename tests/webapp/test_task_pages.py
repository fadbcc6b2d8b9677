"""Task pages that guide (issue 12), with the Flask test client on SQLite and PostgreSQL: the
rights checklist shown before submitting and recomputed for what the form holds, read by the
engine's own check without changing anything; entries kept across a refusal and an evidence
form; evidence recorded from the task page itself; an explicit approve / refuse decision with
reasons that reach the redraft; a fact inconsistency sent back to the same form's field; the
error summary; the case page's alerts, timeline order and status wording."""
import re
from datetime import timedelta

import pytest

from engine.fixtures import demo
from engine.services import previews, queries
from tests.webapp.api_support import api, fast_password_hashing, tokens, to_suspicion  # noqa: F401
from tests.webapp.api_support import registration as api_registration
from tests.webapp.conftest import csrf_token


@pytest.fixture
def driver(seeded, actors):
    return demo.Driver(seeded, actors)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, path, data, token_path=None):
    return client.post(path, data={"csrf_token": csrf_token(client, token_path or path), **data})


def _to_interrogation(d) -> int:
    case_id = d.open(demo.registration(d.ctx.now()), defence=["defence"])
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="summon")
    d.complete(case_id, "draft_suspicion_decision")
    d.complete(case_id, "approve_suspicion", approved=True)
    d.complete(case_id, "serve_suspicion_notice", signed=True, language="ru")
    return case_id


def _checklist(body: str) -> str:
    return body[body.index('id="checklist"'):body.index("</aside>")]


def test_the_checklist_names_the_blocking_right_before_any_submit(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    task_id = driver.task(case_id, "interrogate_suspect")["id"]
    body = _text(login_as("investigator").get(f"/cases/{case_id}/tasks/{task_id}"))
    panel = _checklist(body)
    assert 'data-blocked="yes"' in panel
    item = panel[panel.index('data-right="counsel_before_interrogation"'):]
    assert "blocks this act" in item[:600] and "Salduz v Turkey" in item[:900]
    assert 'id="ev-counsel_before_interrogation"' in panel  # recordable right here
    assert 'name="ev-counsel_before_interrogation-lawyer_name"' in panel
    assert 'id="error-summary"' not in body  # nothing refused yet


def test_the_check_reads_what_the_form_holds_and_changes_nothing(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    task_id = driver.task(case_id, "interrogate_suspect")["id"]
    before = queries.show_case(seeded, actors["reviewer"], case_id)
    trail = len(queries.case_audit(seeded, actors["reviewer"], case_id))
    found = previews.what_would_block(seeded, actors["investigator"], case_id, task_id,
                                      {"protocol_number": "P-1", "started_at": "not a time"})
    assert found["blocked"] and "started_at" in found["form_errors"]
    assert "counsel_before_interrogation" in {i["id"] for i in found["items"] if i["blocks"]}
    after = queries.show_case(seeded, actors["reviewer"], case_id)
    assert after["version"] == before["version"] and after["evidence"] == before["evidence"]
    assert len(queries.case_audit(seeded, actors["reviewer"], case_id)) == trail

    client = login_as("investigator")
    page = f"/cases/{case_id}/tasks/{task_id}"
    answer = _post(client, page + "/check", {"protocol_number": "P-9", "started_at": "02.03.2026 13:00"},
                   token_path=page)
    assert answer.status_code == 200 and answer.json["blocked"] is True
    assert "counsel_before_interrogation" in answer.json["open"] and "blocks this act" in answer.json["html"]
    again = _text(client.get(page))  # what was typed is kept: leaving the page loses nothing
    assert 'value="P-9"' in again and 'value="02.03.2026 13:00"' in again
    assert "filled in again" in again


def test_a_refusal_keeps_the_entries_through_the_evidence_form(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    task_id = driver.task(case_id, "interrogate_suspect")["id"]
    client = login_as("investigator")
    page = f"/cases/{case_id}/tasks/{task_id}"
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    refused = _post(client, page, {"protocol_number": "IP-1", "started_at": "02.03.2026 13:00",
                                   "ended_at": "02.03.2026 13:40", "version": version})
    assert refused.status_code == 409
    body = _text(refused)
    summary = body[body.index('id="error-summary"'):body.index("</section>", body.index('id="error-summary"'))]
    assert 'href="#missing-counsel_before_interrogation"' in summary and "is kept below" in summary
    evidence = f"/cases/{case_id}/evidence/counsel_before_interrogation"
    done = _post(client, evidence, {"lawyer_name": "Aigerim Bekova", "bar_number": "AL-1187",
                                    "consulted_at": "02.03.2026 12:30", "present_at_interrogation": "on",
                                    "next": page})
    assert done.status_code == 302 and done.headers["Location"] == page
    back = _text(client.get(page))
    assert 'value="IP-1"' in back and 'value="02.03.2026 13:00"' in back and 'value="02.03.2026 13:40"' in back


def test_evidence_recorded_from_the_task_page_keeps_the_task_entries(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    task_id = driver.task(case_id, "interrogate_suspect")["id"]
    client = login_as("investigator")
    page = f"/cases/{case_id}/tasks/{task_id}"
    prefix = "ev-counsel_before_interrogation-"
    typed = {"protocol_number": "IP-2", "started_at": "02.03.2026 13:00"}
    bad = _post(client, page + "/evidence/counsel_before_interrogation", {**typed, prefix + "lawyer_name": "A. Bekova"},
                token_path=page)
    assert bad.status_code == 422
    body = _text(bad)
    assert 'value="IP-2"' in body and 'value="A. Bekova"' in body
    assert f'href="#f-{prefix}' in body  # the error summary points into the panel
    good = _post(client, page + "/evidence/counsel_before_interrogation",
                 {**typed, prefix + "lawyer_name": "Aigerim Bekova", prefix + "bar_number": "AL-1187",
                  prefix + "consulted_at": "02.03.2026 12:30", prefix + "present_at_interrogation": "on"},
                 token_path=page)
    assert good.status_code == 302 and good.headers["Location"] == page
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    assert {c["id"]: c["status"] for c in view["checkpoints"]}["counsel_before_interrogation"] == "passed"
    back = _text(client.get(page))
    assert 'value="IP-2"' in back and "Evidence recorded" in back
    assert 'data-right="counsel_before_interrogation"' in _checklist(back)
    assert 'id="ev-counsel_before_interrogation"' not in back


def _to_approval(d) -> int:
    case_id = d.open(demo.registration(d.ctx.now()), defence=["defence"])
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="summon")
    d.complete(case_id, "draft_suspicion_decision", decision_number="SD-15")
    return case_id


def test_approval_is_an_explicit_choice_prefilled_and_a_refusal_needs_reasons(login_as, driver, seeded, actors):
    case_id = _to_approval(driver)
    task_id = driver.task(case_id, "approve_suspicion")["id"]
    client = login_as("prosecutor")
    page = f"/cases/{case_id}/tasks/{task_id}"
    body = _text(client.get(page))
    assert 'type="radio" id="f-approved-yes"' in body and 'type="radio" id="f-approved-no"' in body
    assert not re.search(r'id="f-approved-(yes|no)"[^>]*checked', body)  # no silent default
    assert re.search(r'id="f-approved_by"[^>]*value="prosecutor"', body)
    assert re.search(r'id="f-decision_number"[^>]*value="SD-15"', body)
    assert re.search(r'id="f-approved_at"[^>]*value="\d\d\.\d\d\.\d{4} \d\d:\d\d"', body)
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    common = {"decision_number": "SD-15", "approved_by": "prosecutor", "approved_at": "02.03.2026 11:00",
              "version": version}
    silent = _post(client, page, common)
    assert silent.status_code == 422 and 'id="f-approved-error"' in _text(silent)
    unreasoned = _post(client, page, {**common, "approved": "no"})
    assert unreasoned.status_code == 422 and 'id="f-refusal_reasons-error"' in _text(unreasoned)
    assert 'href="#f-refusal_reasons"' in _text(unreasoned)
    refused = _post(client, page, {**common, "approved": "no", "refusal_reasons": "Qualify under part 3, not part 2"})
    assert refused.status_code == 302
    redraft = driver.task(case_id, "draft_suspicion_decision")["id"]
    body = _text(login_as("investigator").get(f"/cases/{case_id}/tasks/{redraft}"))
    assert "The prosecutor refused the previous draft" in body
    assert "Qualify under part 3, not part 2" in body and "prosecutor" in body
    driver.complete(case_id, "draft_suspicion_decision", decision_number="SD-16")
    again = _text(client.get(f"/cases/{case_id}/tasks/{driver.task(case_id, 'approve_suspicion')['id']}"))
    assert not re.search(r'id="f-approved-(yes|no)"[^>]*checked', again)  # the earlier refusal is not prefilled
    assert "Qualify under part 3" not in again.split('id="task-title"')[1]


def interrogated_detainee(driver, now, **registration) -> int:
    """A suspect apprehended 30 h ago, told, notified, questioned with counsel: the case waits for
    the judge's custody decision."""
    case_id = driver.open(demo.registration(now, **registration), defence=["defence"])
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=30)).isoformat())
    driver.complete(case_id, "notify_family_consulate", family_member="Gulnara Seitkali (mother)",
                    method="telephone", family_notified_at=(now - timedelta(hours=29)).isoformat())
    driver.complete(case_id, "draft_suspicion_decision")
    driver.complete(case_id, "approve_suspicion", approved=True)
    driver.complete(case_id, "serve_suspicion_notice", signed=True)
    driver.evidence(case_id, "counsel_before_interrogation", lawyer_name="Aigerim Bekova", bar_number="AL-1187",
                    requested_at=(now - timedelta(hours=3)).isoformat(),
                    consulted_at=(now - timedelta(hours=2)).isoformat(), present_at_interrogation=True)
    driver.evidence(case_id, "silence_caution", caution_given=True)
    driver.evidence(case_id, "medical_examination")
    driver.complete(case_id, "interrogate_suspect", another_interrogation=False)
    return case_id


def test_a_hearing_before_the_apprehension_is_corrected_in_the_same_form(login_as, driver, seeded, actors, clock):
    now = clock.now()
    case_id = interrogated_detainee(driver, now)
    task = driver.task(case_id, "decide_custody")
    client = login_as("judge")
    page = f"/cases/{case_id}/tasks/{task['id']}"
    form = {f["name"]: "" for f in task["form"]}
    early = (now - timedelta(hours=31)).isoformat()  # an hour before the apprehension
    view = queries.show_case(seeded, actors["reviewer"], case_id)
    filled = {f["name"]: demo.sample_value(demo._Field(f), now) for f in task["form"] if f["required"]}
    filled.update({"hearing_at": early, "outcome": "custody", "ordered_at": early})
    for name, value in filled.items():
        if isinstance(value, bool):
            filled[name] = "on" if value else ""
    refused = _post(client, page, {**form, **{k: v for k, v in filled.items() if v is not None},
                                   "version": view["version"]})
    assert refused.status_code in (409, 422)  # refused by the right's rule or by the facts' order
    body = _text(refused)
    head = body[:body.index('id="task-title"')]
    assert 'href="#f-hearing_at"' in head  # the summary points to the field, in this very form
    assert "/evidence/detention_judicial_review" not in head
    assert re.search(r'class="field has-error">\s*<label for="f-hearing_at"', body)
    assert f'value="{early}"' in body  # what was typed is kept


def test_the_error_summary_lists_each_field_to_correct(login_as, driver, seeded, actors):
    case_id = _to_interrogation(driver)
    task_id = driver.task(case_id, "interrogate_suspect")["id"]
    client = login_as("investigator")
    version = queries.show_case(seeded, actors["reviewer"], case_id)["version"]
    bad = _post(client, f"/cases/{case_id}/tasks/{task_id}", {"protocol_number": "P-1", "started_at": "soon",
                                                              "version": version})
    body = _text(bad)
    assert bad.status_code == 422 and 'id="error-summary" tabindex="-1"' in body
    assert 'href="#f-started_at"' in body and 'href="#f-ended_at"' in body


# ---- the case page ----------------------------------------------------------------------------

def test_a_mandatory_release_heads_the_case_page(login_as, driver, clock):
    now = clock.now()
    case_id = driver.open(demo.registration(now), defence=["defence"])
    driver.complete(case_id, "register_report")
    driver.complete(case_id, "open_investigation", next_step="detain")
    driver.complete(case_id, "apprehend_suspect", apprehended_at=(now - timedelta(hours=80)).isoformat())
    body = _text(login_as("investigator").get(f"/cases/{case_id}"))
    alerts = body[body.index('id="alerts"'):body.index("</section>", body.index('id="alerts"'))]
    assert body.index('id="alerts"') < body.index('id="tasks-title"')  # at the top
    first = alerts[alerts.index('<li class="alert-item'):]
    assert first.startswith('<li class="alert-item severity-critical" data-kind="release"')
    assert "Mandatory release" in first[:600] and "judicial" in first[:900].lower()
    assert 'aria-current="step"' in body and "stage-strip" in body


def test_the_stage_timeline_never_runs_backwards():
    from web.cases.pages import timeline
    entries = [{"stage": "suspicion", "entered_at": "2026-03-02T10:00:00+00:00"},
               {"stage": "detention", "entered_at": "2026-03-02T14:00:00+05:00"},  # 09:00 UTC: earlier
               {"stage": "interrogation", "entered_at": "2026-03-02T10:00:00+00:00"}]
    assert [e["stage"] for e in timeline(entries)] == ["detention", "suspicion", "interrogation"]


def test_a_right_met_shows_no_running_clock_and_a_running_term_says_what_is_pending(login_as, driver):
    case_id = demo._case_at_trial(driver)
    body = _text(login_as("prosecutor").get(f"/cases/{case_id}"))
    row = body[body.index('id="cp-custody_term_review"'):]
    row = row[:row.index("</tr>")]
    assert "status-pending" in row and "pending: an extension ordered by the judge, or the release" in row
    review = body[body.index('id="cp-detention_judicial_review"'):]
    review = review[:review.index("</tr>")]
    assert "status-passed" in review and 'class="countdown' not in review and "met<span" in review
    running = body[body.index('id="cp-reasonable_time"'):]
    running = running[:running.index("</tr>")]
    assert "status-pending" in running and "within time so far" in running and 'class="countdown' in running


def test_the_evidence_and_registration_forms_sum_up_their_errors_at_the_top(login_as, driver):
    case_id = _to_interrogation(driver)
    client = login_as("investigator")
    bad = _post(client, f"/cases/{case_id}/evidence/counsel_before_interrogation", {"consulted_at": "soon"})
    body = _text(bad)
    assert bad.status_code == 422 and 'id="error-summary" tabindex="-1"' in body
    assert 'href="#f-consulted_at"' in body and body.index('id="error-summary"') < body.index('id="evidence-title"')
    new = _post(client, "/cases/new", {"erdr_number": ""})
    assert new.status_code == 422 and 'href="#f-erdr_number"' in _text(new)


def test_only_entries_that_disagree_send_the_person_back_to_a_field(app):
    """A hearing typed before the apprehension is corrected in the same form; a hearing truly
    held too late is not "corrected" by changing its time (the remedy is the release)."""
    from flask import g

    from engine.domain import catalogue
    from engine.services.context import Actor
    from web.cases.acts import _failure_view
    ready = {"evidence": ("detention_judicial_review", "custody_term_review")}
    form = [{"name": "hearing_at"}, {"name": "outcome"}, {"name": "order_number"}]
    right = {"id": "detention_judicial_review", "legal_basis": "ICCPR 9(3)"}
    with app.test_request_context():
        g.actor = Actor("judge", "judge")
        slip = _failure_view({**right, "missing": [], "reasons": [catalogue.HEARING_BEFORE_APPREHENSION]},
                             "custody", ready, form)
        late = _failure_view({**right, "missing": [], "reasons": ["hearing held 3 days 7 h after apprehension, "
                                                                  "beyond the 72 h limit"]}, "custody", ready, form)
        unsaid = _failure_view({**right, "missing": ["order_number"], "reasons": []}, "custody", ready, form)
        elsewhere = _failure_view({**right, "missing": [], "reasons": [catalogue.HEARING_BEFORE_APPREHENSION]},
                                  "custody", {"evidence": ()}, form)
    assert slip["fix_here"] == ["hearing_at"] and late["fix_here"] == []
    assert unsaid["fix_here"] == ["order_number"] and elsewhere["fix_here"] == []


def test_the_check_of_a_custody_order_half_filled_in_still_answers(driver, seeded, actors, clock):
    now = clock.now()
    case_id = interrogated_detainee(driver, now)
    task_id = driver.task(case_id, "decide_custody")["id"]
    found = previews.what_would_block(seeded, actors["judge"], case_id, task_id, {"outcome": "custody"})
    assert "detention_judicial_review" in {i["id"] for i in found["items"]}
    assert found["blocked"]  # no hearing, no order yet: custody cannot be entered


def test_a_decision_is_never_read_from_silence_and_a_prefilled_number_is_submitted():
    from web.cases import fields
    decision = [{"name": "approved", "type": "boolean", "widget": fields.DECISION}]
    assert fields.submitted(decision, {}) == {}
    assert fields.submitted(decision, {"approved": "no"}) == {"approved": False}
    assert fields.submitted(decision, {"approved": "yes"}) == {"approved": True}
    assert fields.entered(decision, {}) == {"approved": None}
    assert fields.submitted([{"name": "count", "type": "integer"}], {"count": 5}) == {"count": "5"}
    assert fields.submitted([{"name": "signed", "type": "boolean"}], {"signed": True}) == {"signed": True}


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_api_says_what_would_block_a_task_and_changes_nothing(api):
    from tests.conftest import START
    case_id = api.open_case(api_registration(START))["id"]
    to_suspicion(api, case_id, START)
    task = api.task(case_id, "interrogate_suspect")
    before = api.case(case_id)
    answer = api.post(f"/cases/{case_id}/tasks/{task['id']}/check", "investigator",
                      json={"data": {"protocol_number": "IP-1", "started_at": "yesterday"}})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["blocked"] is True and "started_at" in body["form_errors"]
    counsel = {i["id"]: i for i in body["items"]}["counsel_before_interrogation"]
    assert counsel["blocks"] and "Salduz" in counsel["legal_basis"] and "lawyer_name" in counsel["elsewhere"]
    assert api.case(case_id)["version"] == before["version"]
    assert api.post(f"/cases/{case_id}/tasks/no-such-task/check", "investigator", json={}).status_code == 404


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_api_refuses_a_refusal_without_reasons_and_sends_a_reasoned_one_back_to_the_investigator(api):
    from tests.conftest import START
    case_id = api.open_case(api_registration(START))["id"]
    assert api.complete(case_id, "register_report", now=START).status_code == 200
    assert api.complete(case_id, "open_investigation", now=START, next_step="summon").status_code == 200
    assert api.complete(case_id, "draft_suspicion_decision", now=START).status_code == 200
    before = api.case(case_id)
    silent = api.complete(case_id, "approve_suspicion", now=START, approved=False)
    assert silent.status_code == 422 and "refusal_reasons" in silent.get_json()["fields"]
    assert api.case(case_id)["version"] == before["version"]  # nothing changed
    reasoned = api.complete(case_id, "approve_suspicion", now=START, approved=False,
                            refusal_reasons="Qualify under part 3, not part 2")
    assert reasoned.status_code == 200, reasoned.get_json()
    assert [t["name"] for t in reasoned.get_json()["tasks"]] == ["draft_suspicion_decision"]
