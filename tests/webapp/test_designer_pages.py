"""The process designer's pages: versions, the BPMN of a version, save (validate) with problems
pointing at elements, deploy, diff, migration, and who may open them."""
import json
import re
import sys
import types

import pytest

from engine.workflow import diff as model_diff
from tests.conftest import PROCESSES
from tests.webapp.conftest import csrf_token

COMPLAINT = (PROCESSES / "complaint.bpmn").read_text()
RENAMED = COMPLAINT.replace('name="File the complaint"', 'name="File the complaint with the judge"')
UNKNOWN_STAGE = COMPLAINT.replace('<spiffworkflow:property name="stage" value="complaint" />',
                                  '<spiffworkflow:property name="stage" value="arraignment" />', 1)
XXE = """<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="stolen" name="&secret;" isExecutable="true" />
</bpmn:definitions>"""
NOT_DESIGNERS = ("investigator", "prosecutor", "supervisor", "judge", "defence", "reviewer")


def post_xml(client, path: str, xml: str, token: str | None = None):
    token = token if token is not None else csrf_token(client, "/processes/")
    return client.post(path, data=xml.encode(), headers={"Content-Type": "application/xml", "X-CSRFToken": token,
                                                         "Accept": "application/json"})


def versions_of(client, process_id: str) -> list[int]:
    page = client.get("/processes/").get_data(as_text=True)
    section = page.split(f'id="process-{process_id}"', 1)[1].split("</section>", 1)[0]
    return sorted(int(v) for v in re.findall(r'data-version="(\d+)"', section))


@pytest.fixture
def designer(login_as):
    return login_as("designer")


# ---------------------------------------------------------------- pages

def test_the_list_shows_each_process_with_its_versions_deployer_and_hash(designer, seeded):
    page = designer.get("/processes/").get_data(as_text=True)
    assert "criminal_case" in page and "complaint" in page
    assert "/processes/complaint/edit?version=1" in page and "/processes/complaint/migrate" in page
    assert "designer" in page and re.search(r"<code title=\"[0-9a-f]{64}\">[0-9a-f]{12}</code>", page)


def test_the_bpmn_of_a_version_is_served_as_xml(designer):
    response = designer.get("/processes/complaint/versions/1/bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.get_data(as_text=True) == COMPLAINT
    assert designer.get("/processes/complaint/versions/9/bpmn").status_code == 404


def test_the_modeler_page_carries_its_setup_as_data_and_no_inline_script(designer):
    page = designer.get("/processes/complaint/edit").get_data(as_text=True)
    setup = json.loads(re.search(r'<script type="application/json" id="modeler-setup">(.*?)</script>', page, re.S).group(1))
    assert setup["xmlUrl"] == "/processes/complaint/versions/1/bpmn" and setup["version"] == 1
    custody = next(s for s in setup["vocabulary"]["stages"] if s["id"] == "custody")
    assert "detention_judicial_review" in custody["guarded_by"]
    assert len(setup["vocabulary"]["checkpoints"]) == 16
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "onclick" not in page and "style=" not in page


def test_a_version_page_lists_its_user_tasks_with_enforced_and_added_checkpoints(designer):
    page = designer.get("/processes/complaint/versions/1").get_data(as_text=True)
    assert "Register and route the complaint" in page and "to complain of an investigator" in page
    assert designer.get("/processes/complaint/versions/7").status_code == 404


# ---------------------------------------------------------------- save, deploy

def test_save_reports_an_unknown_stage_on_its_element(designer):
    response = post_xml(designer, "/processes/check", UNKNOWN_STAGE)
    body = response.get_json()
    assert response.status_code == 200 and body["ok"] is False
    problem = next(p for p in body["problems"] if "unknown stage 'arraignment'" in p["message"])
    assert problem["element"] == "file_complaint" and problem["severity"] == "error"


def test_save_of_a_sound_model_reports_no_error(designer):
    body = post_xml(designer, "/processes/check", RENAMED).get_json()
    assert body["ok"] is True and not [p for p in body["problems"] if p["severity"] == "error"]


def test_save_and_deploy_need_the_csrf_token(designer):
    assert post_xml(designer, "/processes/check", COMPLAINT, token="").status_code == 400
    assert post_xml(designer, "/processes/deploy", RENAMED, token="forged").status_code == 400
    assert versions_of(designer, "complaint") == [1]


def test_deploy_creates_a_new_version_shown_in_the_list(designer):
    response = post_xml(designer, "/processes/deploy", RENAMED)
    assert response.status_code == 201
    assert response.get_json() | {} == {**response.get_json(), "process": "complaint", "version": 2, "created": True}
    assert response.get_json()["url"] == "/processes/complaint/versions/2"
    assert versions_of(designer, "complaint") == [1, 2]
    again = post_xml(designer, "/processes/deploy", RENAMED)
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert versions_of(designer, "complaint") == [1, 2]


def test_a_model_with_errors_never_deploys(designer):
    response = post_xml(designer, "/processes/deploy", UNKNOWN_STAGE)
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == "invalid_bpmn"
    assert any(p["element"] == "file_complaint" and "arraignment" in p["message"] for p in body["problems"])
    assert versions_of(designer, "complaint") == [1]


@pytest.mark.parametrize("path", ["/processes/check", "/processes/deploy"])
def test_hostile_xml_is_refused_with_a_clear_message(designer, path):
    response = post_xml(designer, path, XXE)
    body = response.get_json()
    assert response.status_code in (200, 422) and "root:" not in response.get_data(as_text=True)
    assert body.get("ok") is not True
    assert any("DTD and entity declarations are not allowed" in p["message"] for p in body["problems"])
    assert "stolen" not in designer.get("/processes/").get_data(as_text=True)


def test_garbage_is_refused_as_not_xml(designer):
    body = post_xml(designer, "/processes/check", "this is not a diagram").get_json()
    assert body["ok"] is False and body["problems"][0]["message"].startswith("not XML")


# ---------------------------------------------------------------- who may

@pytest.mark.parametrize("username", NOT_DESIGNERS)
def test_only_designers_and_administrators_may_open_the_designer_pages(login_as, username):
    client = login_as(username)
    for path in ("/processes/", "/processes/complaint/edit", "/processes/complaint/versions/1",
                 "/processes/complaint/versions/1/bpmn", "/processes/complaint/diff?from=1&to=1",
                 "/processes/complaint/migrate"):
        assert client.get(path).status_code == 403, path
    token = _any_token(client)
    for path in ("/processes/check", "/processes/deploy", "/processes/complaint/migrate"):
        assert post_xml(client, path, RENAMED, token=token).status_code == 403, path


def _any_token(client) -> str:
    """A valid CSRF token for this session, taken from the first page that shows the logout form."""
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', home)
    return match.group(1) if match else ""


def test_an_administrator_may_deploy(login_as):
    admin = login_as("admin")
    assert post_xml(admin, "/processes/deploy", RENAMED).status_code == 201


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/processes/complaint/edit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# ---------------------------------------------------------------- diff

def test_the_diff_shows_a_renamed_task(designer):
    post_xml(designer, "/processes/deploy", RENAMED)
    page = designer.get("/processes/complaint/diff?from=1&to=2").get_data(as_text=True)
    assert "renamed from &#39;File the complaint&#39; to &#39;File the complaint with the judge&#39;" in page
    assert "1 change" in page


def test_the_diff_of_unknown_or_malformed_versions_is_a_clear_refusal(designer):
    assert designer.get("/processes/complaint/diff?from=1&to=5").status_code == 404
    assert designer.get("/processes/complaint/diff?from=x&to=1").status_code == 400
    assert designer.get("/processes/nothing/diff").status_code == 404


def test_the_structural_diff_names_stage_checkpoint_form_lane_and_flow_changes():
    changed = (COMPLAINT
               .replace('<spiffworkflow:property name="evidence" value="complaint_review" />',
                        '<spiffworkflow:property name="evidence" value="complaint_review" />'
                        '<spiffworkflow:property name="checkpoints" value="interpreter" />')
               .replace('"label":"Reasons"', '"label":"Grounds"')
               .replace('<bpmn:flowNodeRef>rule_on_complaint</bpmn:flowNodeRef>', '')
               .replace('<bpmn:lane id="lane_prosecutor" name="prosecutor">',
                        '<bpmn:lane id="lane_prosecutor" name="prosecutor"><bpmn:flowNodeRef>rule_on_complaint'
                        '</bpmn:flowNodeRef>')
               .replace('<bpmn:sequenceFlow id="f_ruled" sourceRef="rule_on_complaint" targetRef="complaint_decided" />',
                        '<bpmn:sequenceFlow id="f_ruled2" sourceRef="rule_on_complaint" targetRef="complaint_decided" />'))
    messages = [c.message for c in model_diff.diff(COMPLAINT, changed)]
    assert "'Register and route the complaint': checkpoints added: interpreter" in messages
    assert "'Rule on the complaint': form field 'ruling_reasons' changed (label)" in messages
    assert any("moved from lane judge to prosecutor" in m for m in messages)
    assert "Flow 'Rule on the complaint' → 'Complaint decided' added" in messages
    assert "Flow 'Rule on the complaint' → 'Complaint decided' removed" in messages
    assert model_diff.diff(COMPLAINT, COMPLAINT) == []


# ---------------------------------------------------------------- migration

def _complaints(seeded, actors, n: int) -> list[int]:
    from engine.services import cases
    return [cases.open_case(seeded, actors["investigator"], "complaint", {}) for _ in range(n)]


def test_the_migration_preview_changes_nothing_and_offers_each_movable_case(designer, seeded, actors):
    first, second = _complaints(seeded, actors, 2)
    post_xml(designer, "/processes/deploy", RENAMED)
    page = designer.get("/processes/complaint/migrate?to=2")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Preview: migration to v2" in text
    assert f'name="case" value="{first}"' in text and f'name="case" value="{second}"' in text
    assert f'href="/cases/{first}"' in text and 'name="latest_version" value="2"' in text
    assert "Nothing has changed yet." in text
    assert "2 cases migrated" not in text and designer.get("/processes/complaint/migrate").status_code == 200


def test_the_confirmation_lists_the_chosen_cases_and_moves_nothing(designer, seeded, actors):
    first, second = _complaints(seeded, actors, 2)
    post_xml(designer, "/processes/deploy", RENAMED)
    token = csrf_token(designer, "/processes/complaint/migrate?to=2")
    page = designer.post("/processes/complaint/migrate/confirm", data={
        "to_version": "2", "latest_version": "2", "case": [str(second)], "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 case will move to v2" in text
    assert f'name="case" value="{second}"' in text and f'name="case" value="{first}"' not in text
    assert designer.get("/processes/complaint/migrate?to=2").get_data(as_text=True).count('name="case" value=') == 2


def test_migrating_the_chosen_case_shows_results_as_links(designer, seeded, actors):
    first, second = _complaints(seeded, actors, 2)
    post_xml(designer, "/processes/deploy", RENAMED)
    token = csrf_token(designer, "/processes/complaint/migrate?to=2")
    page = designer.post("/processes/complaint/migrate", data={
        "to_version": "2", "latest_version": "2", "case": [str(first)], "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 case migrated, 0 refused" in text
    assert f'<a href="/cases/{first}">' in text and "v1 → v2" in text
    after = designer.get("/processes/complaint/migrate?to=2").get_data(as_text=True)
    assert f'name="case" value="{second}"' in after and f'name="case" value="{first}"' not in after


def test_a_stale_or_empty_choice_is_refused_with_a_summary_and_nothing_moves(designer, seeded, actors):
    [case_id] = _complaints(seeded, actors, 1)
    post_xml(designer, "/processes/deploy", RENAMED)
    token = csrf_token(designer, "/processes/complaint/migrate?to=2")
    stale = designer.post("/processes/complaint/migrate", data={
        "to_version": "2", "latest_version": "1", "case": [str(case_id)], "csrf_token": token})
    assert stale.status_code == 409 and 'id="error-summary"' in stale.get_data(as_text=True)
    assert "Nothing was moved" in stale.get_data(as_text=True)
    empty = designer.post("/processes/complaint/migrate/confirm", data={
        "to_version": "2", "latest_version": "2", "csrf_token": token})
    assert empty.status_code == 422 and "Choose at least one case" in empty.get_data(as_text=True)
    for bad in ({"to_version": "x", "latest_version": "2"}, {"to_version": "2", "latest_version": "2", "case": ["y"]}):
        assert designer.post("/processes/complaint/migrate", data={**bad, "csrf_token": token}).status_code == 400
    assert designer.get("/processes/complaint/migrate?to=9").status_code == 404
    assert f'name="case" value="{case_id}"' in designer.get("/processes/complaint/migrate?to=2").get_data(as_text=True)


def test_the_modeler_check_runs_the_proof_and_deploy_asks_for_a_second_person(designer):
    from tests import variants
    checked = post_xml(designer, "/processes/check", variants.detention_dead_end()).get_json()
    assert checked["ok"] is False and checked["proof"] == "refused"
    assert {p["element"] for p in checked["problems"] if p.get("path")} == {
        "case_terminated", "judgment_final", "overdue_hearing_chased"}
    asked = post_xml(designer, "/processes/deploy", variants.verdict_service_removed())
    assert asked.status_code == 409 and asked.get_json()["error"] == "confirmation_required"
    assert versions_of(designer, "criminal_case") == [1]
