"""For trainers: progress per trainee and the cohort report of the rights most often got wrong,
as JSON, CSV and a page; and the jurors' module with its explained answers."""
import csv
import io

import pytest
from openpyxl import load_workbook

from engine.services import training
from engine.services.context import Actor
from tests.webapp.api_support import api, fast_password_hashing, tokens  # noqa: F401
from tests.webapp.conftest import login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def finish_walk(habeas, trainee: Actor, scenario_id: str, mistake: bool) -> dict:
    scenario = training.scenario(scenario_id)
    case_id = training.start(habeas, trainee, scenario_id)["case"]
    for step in (scenario.mistake_walk() if mistake else scenario.reference_walk):
        try:
            training.play(habeas, trainee, case_id, step)
        except Exception:  # noqa: BLE001 - a refused step is part of a mistake walk
            pass
    return training.finish(habeas, trainee, case_id)


def test_progress_and_cohort_report_count_finished_runs_per_trainee_and_right(app, api, habeas):
    finish_walk(habeas, Actor("trainee", "trainee"), "salduz_first_hours", mistake=False)
    finish_walk(habeas, Actor("script-trainee", "trainee"), "salduz_first_hours", mistake=True)
    training.start(habeas, Actor("trainee", "trainee"), "child_at_night")  # started, never finished
    progress = {row["trainee"]: row for row in api.get("/training/progress", "trainer").get_json()["items"]}
    assert progress["trainee"] | {"scenarios": None} == {"trainee": "trainee", "started": 2, "finished": 1, "score": 4,
                                                         "max_score": 4, "rate": 1.0, "scenarios": None}
    assert (progress["script-trainee"]["score"], progress["script-trainee"]["rate"]) == (3, 0.75)
    cohort = api.get("/training/cohort", "trainer").get_json()["items"]
    assert cohort[0]["right"] == "counsel_before_interrogation"  # the most often missed comes first
    assert (cohort[0]["played"], cohort[0]["wrong"], cohort[0]["missed"], cohort[0]["wrong_rate"]) == (2, 1, 1, 0.5)
    assert all(row["wrong"] == 0 for row in cohort[1:])
    exported = api.get("/training/cohort?format=csv", "trainer")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Cyrillic of names only with the BOM
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert rows[0]["right"] == "counsel_before_interrogation" and rows[0]["wrong_rate"] == "0.5"
    semicolon = api.get("/training/cohort?format=csv&separator=semicolon", "trainer").get_data(as_text=True)
    assert list(csv.DictReader(io.StringIO(semicolon[1:]), delimiter=";"))[0]["missed"] == "1"
    assert api.get("/training/cohort?format=xml", "trainer").status_code == 422
    page = login(app.test_client(), "trainer").get("/training/progress").get_data(as_text=True)
    assert "script-trainee" in page and "<td>50.0 %</td>" in page
    assert api.get("/training/progress", "trainee").status_code == 403


def test_a_trainer_exports_progress_and_cohort_as_a_workbook_in_their_language(app, api, habeas):
    finish_walk(habeas, Actor("script-trainee", "trainee"), "salduz_first_hours", mistake=True)
    workbook = api.get("/training/cohort?format=xlsx", "trainer")
    assert workbook.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(workbook.get_data()))
    progress, cohort = book.worksheets
    assert [c.value for c in progress[1]][:2] == ["Trainee", "Started"]
    assert [c.value for c in progress[2]][:3] == ["script-trainee", 1, 1]
    assert cohort["B2"].value == "a lawyer from the first questioning"
    client = login(app.test_client(), "trainer")
    russian = client.get("/training/export.xlsx?lang=ru")
    sheet = load_workbook(io.BytesIO(russian.get_data())).worksheets[1]
    assert sheet["A1"].value != "Right (id)" and sheet["B2"].value != cohort["B2"].value
    assert sheet["A2"].value == "counsel_before_interrogation"  # ids stay ids for scripts
    page_csv = client.get("/training/export.csv?table=progress&separator=semicolon")
    assert page_csv.get_data(as_text=True).splitlines()[0] == "\ufefftrainee;started;finished;score;max_score;rate"
    assert client.get("/training/export.csv?table=nothing").status_code == 404
    assert login(app.test_client(), "trainee").get("/training/export.xlsx").status_code == 403


def test_the_jurors_module_hides_the_answers_until_they_are_checked(api):
    module = api.get("/training/jurors", "trainee").get_json()
    assert module["lessons"] and all("answer" not in q and "explanation" not in q for q in module["questions"])
    graded = api.post("/training/jurors/answers", "trainee", json={"answers": {"q1": 1, "q2": 0}}).get_json()
    by_id = {q["id"]: q for q in graded["questions"]}
    assert by_id["q1"]["correct"] and not by_id["q2"]["correct"] and graded["score"] == 1
    assert "Gäfgen" in by_id["q2"]["explanation"]
    bad = api.post("/training/jurors/answers", "trainee", json={"answers": ["q1"]})
    assert bad.status_code == 422


def test_a_trainee_is_briefed_without_the_answers_and_a_trainer_reads_them(api):
    briefing = api.get("/training/scenarios/salduz_first_hours", "trainee").get_json()
    assert briefing["facts"] and {r["right"] for r in briefing["rights"]} >= {"counsel_before_interrogation"}
    assert "reference_walk" not in briefing and all("expected" not in r for r in briefing["rights"])
    started = api.post("/training/scenarios/salduz_first_hours/start", "trainee").get_json()
    assert "reference_walk" not in started["scenario"] and "mistake" not in started["scenario"]
    full = api.get("/training/scenarios/salduz_first_hours", "trainer").get_json()
    assert full["reference_walk"] and full["rights"][0]["reasoning"] and full["mistake"]["breaks"]


def test_a_trainer_reviews_a_scenario_page_with_its_answers(app):
    html = login(app.test_client(), "trainer").get("/training/scenarios/jury_question").get_data(as_text=True)
    assert "TRAINING" in html and "Taxquet" in html and 'data-right="jury_right"' in html and "Hold the preliminary hearing" in html
    assert login(app.test_client(), "trainee").get("/training/scenarios/jury_question").status_code == 403
