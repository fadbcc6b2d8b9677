"""A designer may name a task, word its instructions and label its form fields per language in
the diagram itself (``name_ru``, ``instructions_kk``, ``label_ru``, ``help_kk``): the engine
keeps them as data, the web layer shows the reader's, and falls back to the catalogues."""
from pathlib import Path

import pytest

from engine.domain.forms import FormField
from engine.workflow.adapter import ProcessModel
from tests.conftest import _empty
from web.i18n import diagrams, labels


@pytest.fixture
def db_engine(sqlite_engine):
    """Words do not depend on the database: these run on SQLite only (the suite stays fast)."""
    _empty(sqlite_engine)
    return sqlite_engine


COMPLAINT = Path(__file__).resolve().parents[2] / "processes" / "complaint.bpmn"
OWN_WORDS = ('<spiffworkflow:property name="stage" value="complaint" />',
             '<spiffworkflow:property name="stage" value="complaint" />'
             '<spiffworkflow:property name="name_ru" value="Подать жалобу судье" />'
             '<spiffworkflow:property name="instructions_kk" value="Шағымды тергеу судьясына беріңіз." />')


def _model_with_own_words() -> ProcessModel:
    xml = COMPLAINT.read_text().replace(OWN_WORDS[0], OWN_WORDS[1], 1)
    xml = xml.replace('"label":"Act complained of",', '"label":"Act complained of","label_ru":"Что обжалуется",', 1)
    return ProcessModel.from_bpmn(xml)


def test_the_engine_keeps_a_diagrams_own_words_per_language_as_data():
    task = _model_with_own_words().tasks["file_complaint"]
    assert dict(task.translations) == {"name_ru": "Подать жалобу судье",
                                       "instructions_kk": "Шағымды тергеу судьясына беріңіз."}
    field = next(f for f in task.form if f.name == "act_complained_of")
    assert field.to_dict()["label_ru"] == "Что обжалуется" and field.label == "Act complained of"


def test_only_label_and_help_take_a_language_and_only_two_letter_codes():
    field = FormField.from_dict({"name": "x", "label": "X", "label_ru": "Икс", "help_kk": "Көмек",
                                 "label_russian": "no", "choices_ru": "no", "type_kk": "no"})
    assert dict(field.translations) == {"label_ru": "Икс", "help_kk": "Көмек"}


def _task_view(model) -> dict:
    task = model.tasks["file_complaint"]
    return {"title": task.title, "instructions": task.instructions, "translations": dict(task.translations)}


def test_the_readers_language_picks_the_diagrams_words_else_the_catalogues(app):
    view = _task_view(_model_with_own_words())
    field = next(f for f in _model_with_own_words().tasks["file_complaint"].form if f.name == "act_complained_of")
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert labels.task_title(view) == "Подать жалобу судье"
        assert labels.field_label(field.to_dict()) == "Что обжалуется"
        assert labels.task_instructions(view).startswith("Подайте жалобу")  # from the catalogue
    with app.test_request_context("/", headers={"Accept-Language": "kk"}):
        assert labels.task_title(view) == "Шағым беру"                       # from the catalogue
        assert labels.task_instructions(view) == "Шағымды тергеу судьясына беріңіз."
        assert labels.field_label(field.to_dict()) == "Шағымданылатын әрекет"
    with app.test_request_context("/"):
        assert labels.task_title(view) == "File the complaint"


def test_the_case_diagram_is_served_with_names_in_the_readers_language(app):
    xml = COMPLAINT.read_text().replace(OWN_WORDS[0], OWN_WORDS[1], 1)
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        russian = diagrams.localised(xml).decode()
    assert 'name="Подать жалобу судье"' in russian and 'name="File the complaint"' not in russian
    assert 'name="следственный судья"' in russian  # a lane: its role, in words
    with app.test_request_context("/"):
        assert diagrams.localised(xml).decode() == xml
