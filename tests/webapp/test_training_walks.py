"""Every scenario of the library played through the API as a trainee: its reference walk gets
full marks; its mistake walk loses exactly the points of the rights the mistake breaks."""
import pytest

from engine.services import training
from tests.webapp.api_support import api, fast_password_hashing, tokens  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
SCENARIOS = sorted(training.library())


def play(api, scenario_id: str, walk: list[dict]) -> dict:
    started = api.post(f"/training/scenarios/{scenario_id}/start", "trainee")
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["case"]["id"]
    assert started.get_json()["case"]["number"].startswith("TR-")
    refused = []
    for step in walk:
        response = api.post(f"/training/cases/{case_id}/steps", "trainee", json={"step": step})
        assert response.status_code in (200, 409, 422), response.get_json()
        if response.status_code != 200:
            refused.append((step, response.get_json()))
    finished = api.post(f"/training/cases/{case_id}/finish", "trainee")
    assert finished.status_code == 200, finished.get_json()
    return {**finished.get_json(), "refused": refused}


def test_the_library_has_at_least_twelve_scenarios():
    assert len(SCENARIOS) >= 12


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_reference_walk_gets_full_marks(api, scenario_id):
    scenario = training.scenario(scenario_id)
    debrief = play(api, scenario_id, list(scenario.reference_walk))
    assert debrief["refused"] == []
    assert debrief["score"] == debrief["max_score"] == scenario.max_score > 0
    assert all(r["outcome"] == r["expected"] for r in debrief["rights"]), debrief["rights"]


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_mistake_walk_loses_exactly_the_points_of_the_rights_it_breaks(api, scenario_id):
    scenario = training.scenario(scenario_id)
    debrief = play(api, scenario_id, scenario.mistake_walk())
    lost = {r["right"] for r in debrief["rights"] if r["points"] < r["of"]}
    assert lost == set(scenario.mistake["breaks"])
    broken = sum(e.points for e in scenario.rights if e.right in lost)
    assert debrief["score"] == scenario.max_score - broken
    for r in debrief["rights"]:
        if r["right"] in lost:
            assert r["outcome"] in ("missed", "late", "overridden_without_ground")
            assert r["reasoning"] and r["legal_basis"]
