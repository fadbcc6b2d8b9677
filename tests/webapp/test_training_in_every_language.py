"""The training space in Kazakh and in Russian: the library, every scenario as a trainer reviews
it (its story, decisions, reasoning, events and mistake), a practice case in play with an event
that acted on it and a refused step, the debrief, the trainers' progress and the jurors' module
graded, with no message of the interface and no scenario text left in English.  Citations
(standards, legal bases) and what was typed stay as written."""
import json
import re

import pytest

from engine.domain.errors import HabeasError
from engine.services import training
from engine.services.context import Actor
from tests.webapp.conftest import csrf_token
from tests.webapp.test_pages_in_every_language import (db_engine, english_fragments,  # noqa: F401
                                                       latin_words, latin_words_allowed, readable)


def _latin_of(value) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", json.dumps(value, ensure_ascii=False)))


def allowed_words(seeded) -> set[str]:
    """Besides the interface's own: the scenarios' citations and the values their walks type."""
    words = latin_words_allowed(seeded)
    for s in training.library().values():
        words |= _latin_of([s.standards, [e.legal_basis for e in s.rights], s.reference_walk, s.opening,
                            [e.get("act") for e in s.events], s.mistake_walk()])
    return words | {"trainee", "trainer", "TR"}


@pytest.fixture
def walk(login_as, seeded):
    trainee = Actor("trainee", "trainee")
    case_id = training.start(seeded, trainee, "ill_treatment_allegation")["case"]
    scenario = training.scenario("ill_treatment_allegation")
    for step in scenario.mistake_walk()[:13]:
        try:
            training.play(seeded, trainee, case_id, step)
        except HabeasError:
            pass  # the interrogation before the doctor is refused: the debrief explains it
    finished = training.start(seeded, trainee, "salduz_first_hours")["case"]
    for step in training.scenario("salduz_first_hours").reference_walk:
        training.play(seeded, trainee, finished, step)
    training.finish(seeded, trainee, finished)

    def pages(language):
        sessions = {who: login_as(who) for who in ("trainee", "trainer")}
        for browser in sessions.values():
            browser.get(f"/login?lang={language}")
        learner, teacher = sessions["trainee"], sessions["trainer"]
        yield "/training/", learner.get("/training/")
        yield "case in play", learner.get(f"/training/cases/{case_id}")
        yield "debrief in play", learner.get(f"/training/cases/{case_id}/debrief")
        yield "debrief", learner.get(f"/training/cases/{finished}/debrief")
        yield "jurors", learner.get("/training/jurors")
        yield "jurors graded", learner.post("/training/jurors", data={
            "q1": "0", "q2": "1", "csrf_token": csrf_token(learner, "/training/jurors")})
        yield "trainer /training/", teacher.get("/training/")
        yield "progress", teacher.get("/training/progress")
        for scenario_id in sorted(training.library()):
            yield scenario_id, teacher.get(f"/training/scenarios/{scenario_id}")
    return pages


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_training_space_reads_entirely_in_the_language(walk, language, seeded):
    fragments = english_fragments(language)
    allowed = allowed_words(seeded)
    seen = 0
    for what, response in walk(language):
        assert response.status_code == 200, (what, response.status_code)
        html = response.get_data(as_text=True)
        assert f'<html lang="{language}">' in html, what
        text = readable(html)
        left = sorted(f for f in fragments if re.search(r"(?<![\w])" + re.escape(f) + r"(?![\w])", text))
        assert not left, f"{what}: English left: {left[:8]}"
        stray = sorted(latin_words(text) - allowed)
        assert not stray, f"{what}: words not in {language}: {stray[:12]}"
        seen += 1
    assert seen >= 20
