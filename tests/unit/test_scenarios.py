"""The scenario library as data: every file loads, cites its standards, expects only rights of
the catalogue, and a bad scenario is refused naming what is wrong.  Scoring of one right."""
import json
from datetime import datetime, timezone

import pytest

from engine.domain import scenarios
from engine.domain.errors import InvalidData
from engine.services.training import DEFAULT_DIR, outcome_of

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LIBRARY = scenarios.load_library(DEFAULT_DIR)
REQUIRED_CITATIONS = {"salduz_first_hours": "Salduz", "child_at_night": "Panovits", "foreigner_interpreter": "Kamasinski",
                      "review_48_hours": "Brogan", "custody_extension": "Buzadji", "ill_treatment_allegation": "Assenov",
                      "disclosure_before_indictment": "Rowe and Davis", "jury_question": "Taxquet",
                      "complaint_against_custody": "CPC arts 105-106", "appeal_notice": "Protocol 7"}


def test_the_library_covers_the_standards_the_curriculum_asks_for():
    assert len(LIBRARY) >= 12
    for scenario_id, citation in REQUIRED_CITATIONS.items():
        assert any(citation in s for s in LIBRARY[scenario_id].standards), scenario_id


@pytest.mark.parametrize("scenario_id", sorted(LIBRARY))
def test_each_scenario_is_complete(scenario_id):
    s = LIBRARY[scenario_id]
    assert s.facts and s.decisions and s.timeline and s.events and s.rights
    assert all(e.reasoning and e.legal_basis for e in s.rights)
    assert set(s.mistake["breaks"]) <= {e.right for e in s.rights}
    assert s.mistake_walk() != list(s.reference_walk)
    assert all(scenarios.step_problem(step) is None for step in s.mistake_walk())


def minimal(**changes) -> dict:
    data = {"id": "x", "title": "X", "summary": "s", "standards": ["Salduz"], "role": "investigator", "facts": "f",
            "decisions": ["d"], "rights": {"silence_caution": {"expected": "respected", "reasoning": "r",
                                                               "legal_basis": "b"}},
            "reference_walk": [{"do": "advance", "hours": 1}],
            "mistake": {"description": "m", "breaks": ["silence_caution"], "omit": [0]}}
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, where", [
    ({"role": "juror"}, "role"),
    ({"rights": {"no_such_right": {"expected": "respected", "reasoning": "r", "legal_basis": "b"}}}, "rights.no_such_right"),
    ({"rights": {"silence_caution": {"expected": "maybe", "reasoning": "r", "legal_basis": "b"}}}, "rights.silence_caution"),
    ({"rights": {"silence_caution": {"expected": "respected", "reasoning": "", "legal_basis": "b"}}}, "rights.silence_caution"),
    ({"reference_walk": [{"do": "advance", "hours": 0}]}, "reference_walk[0]"),
    ({"reference_walk": [{"do": "evidence", "checkpoint": "nope"}]}, "reference_walk[0]"),
    ({"mistake": {"description": "m", "breaks": ["interpreter"]}}, "mistake.breaks"),
    ({"events": [{"at_hours": "soon", "text": "t"}]}, "events[0]"),
    ({"standards": []}, "standards"),
])
def test_a_bad_scenario_is_refused_naming_the_problem(changes, where):
    assert scenarios.parse(minimal()).id == "x"
    with pytest.raises(InvalidData) as refused:
        scenarios.parse(minimal(**changes), "bad.json")
    assert where in refused.value.fields and "bad.json" in refused.value.message


def test_a_repeated_id_or_broken_file_in_a_library_is_named(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(minimal()))
    (tmp_path / "b.json").write_text(json.dumps(minimal()))
    with pytest.raises(InvalidData, match="b.json: scenario id 'x' is used twice"):
        scenarios.load_library(tmp_path)
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(InvalidData, match="b.json: not valid JSON"):
        scenarios.load_library(tmp_path)


def test_time_tokens_are_read_at_the_virtual_now():
    got = scenarios.resolve({"a": "@now", "b": ["@now-90m", "@now+2d"], "c": "@age:15", "d": "@nowish", "e": 3}, NOW)
    assert got == {"a": "2026-03-02T09:00:00+00:00",
                   "b": ["2026-03-02T07:30:00+00:00", "2026-03-04T09:00:00+00:00"],
                   "c": "2010-11-26", "d": "@nowish", "e": 3}


def test_the_mistake_walk_inserts_replaces_and_omits_steps():
    s = scenarios.parse(minimal(reference_walk=[{"do": "advance", "hours": h} for h in (1, 2, 3)],
                                mistake={"description": "m", "breaks": ["silence_caution"], "omit": [0],
                                         "replace": {"2": {"do": "advance", "hours": 9}},
                                         "insert": {"1": [{"do": "advance", "hours": 5}]}}))
    assert [step["hours"] for step in s.mistake_walk()] == [5, 2, 9]


@pytest.mark.parametrize("statuses, failed_once, expected, outcome", [
    (["pending", "passed"], False, "respected", "respected"),
    (["passed", "not_applicable"], False, "respected", "respected"),
    (["pending", "failed"], False, "respected", "missed"),
    (["pending"], True, "respected", "missed"),             # refused, never secured
    (["pending", "passed"], True, "respected", "late"),     # refused, secured afterwards
    (["failed", "passed"], False, "respected", "late"),
    (["overridden", "passed"], False, "respected", "overridden_without_ground"),
    (["overridden"], False, "overridden", "overridden"),
    ([], False, "respected", "not_reached"),
    (["pending"], False, "respected", "not_reached"),
])
def test_the_outcome_of_a_right(statuses, failed_once, expected, outcome):
    assert outcome_of(statuses, failed_once, expected) == outcome


def test_a_right_shown_only_by_its_clock_met_in_time_is_respected():
    assert outcome_of(["pending", "pending"], False, "respected", met_in_time=True) == "respected"
    assert outcome_of(["pending", "failed"], False, "respected", met_in_time=True) == "missed"
    assert outcome_of(["pending"], True, "respected", met_in_time=True) == "missed"


def test_the_jurors_module_grades_and_explains_every_answer():
    module = scenarios.load_module(DEFAULT_DIR / "jurors.json")
    right = {q["id"]: q["answer"] for q in module["questions"]}
    assert scenarios.grade(module, right)["score"] == len(module["questions"])
    graded = scenarios.grade(module, {"q1": "0", "q2": "not a number"})
    assert graded["score"] == 0 and all(q["explanation"] for q in graded["questions"])
    assert [q["given"] for q in graded["questions"][:3]] == [0, None, None]
