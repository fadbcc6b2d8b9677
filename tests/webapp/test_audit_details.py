"""An audit record as people read it (web.i18n.audit_details): labelled fields, rights with their
legal basis, times in the configured zone, days as dd.mm.yyyy, yes and no, choices in words."""
import pytest

from engine.domain import catalogue
from web.i18n import audit_details


@pytest.fixture
def in_russian(app):
    with app.test_request_context("/?lang=ru"):
        from flask_babel import force_locale
        with force_locale("ru"):
            yield


def as_dict(fields):
    return {f["label"]: f for f in fields}


def test_a_refusal_names_the_right_its_basis_and_what_is_missing(app):
    with app.test_request_context("/"):
        fields = as_dict(audit_details.details({
            "task": "Interrogate the suspect", "task_id": "abc", "stage": "interrogation",
            "checkpoints": [{"id": "counsel_before_interrogation", "missing": ["lawyer_name"],
                             "reasons": ["no evidence recorded yet"]}]}))
    assert set(fields) == {"Task", "Stage", "Rights checked"}  # the task's internal id is left out
    failure = fields["Rights checked"]["parts"][0]
    assert failure["basis"] == catalogue.get("counsel_before_interrogation").legal_basis
    assert failure["status"] == "failed" and failure["parts"][0]["text"] == "no evidence recorded yet"


def test_times_days_booleans_and_unknown_keys(app):
    with app.test_request_context("/"):
        fields = as_dict(audit_details.details({
            "occurred_at": "2026-03-02T08:00:00+00:00", "late": True, "data": {"suspect_dob": "1994-02-11"},
            "mystery": "x"}, form={"suspect_dob": {"name": "suspect_dob", "label": "Suspect date of birth"}}))
    assert fields["Happened at"]["text"] == "02.03.2026 13:00"  # Asia/Almaty, UTC+5
    assert fields["Late"]["text"] == "yes"
    assert fields["Data entered"]["parts"][0] == {"label": "Suspect date of birth", "text": "11.02.1994"}
    assert fields["mystery"]["typed"] and fields["mystery"]["label_typed"]  # shown as written, marked so


def test_labels_in_russian(in_russian):
    fields = as_dict(audit_details.details({"checkpoint": "interpreter", "status": "passed"}))
    assert fields["Право"]["text"] != catalogue.get("interpreter").right
    assert "Решение" in fields
    assert audit_details.actor_name("scheduler", {}) == "планировщик сроков"


def test_a_claim_names_the_task_by_its_title_and_the_lane_by_its_role(app):
    form = {"task:interrogate_suspect": {"name": "interrogate_suspect", "title": "Interrogate the suspect",
                                         "translations": {}}}
    with app.test_request_context("/"):
        fields = as_dict(audit_details.details({"task_id": "x", "task": "interrogate_suspect",
                                                "lane": "investigator", "holder": "investigator"}, form))
        comment = as_dict(audit_details.details({"comment": 3, "body": "Call the lawyer"}))
    assert fields["Task"]["text"] == "Interrogate the suspect" and fields["Lane"]["text"] == "investigator"
    assert fields["Taken by"]["typed"] and comment["Comment"] == {"label": "Comment", "text": "Call the lawyer",
                                                                  "typed": True}


def test_every_act_the_engine_audits_on_a_case_has_a_name():
    """No action code (``custody.extension_refused``) left for a reader: every action the engine
    writes into the trail is named in ``labels.ACTIONS`` (and so in the catalogues)."""
    import re
    from pathlib import Path
    from web.i18n import labels
    engine = Path(__file__).resolve().parents[2] / "engine"
    written = set()
    for source in engine.rglob("*.py"):
        written |= set(re.findall(r'action=f?"([a-z_]+\.[a-z_]+)"', source.read_text()))
    written |= {"deadline.breached", "deadline.warning", "deadline.escalated", "data.erased"}
    unnamed = {a for a in written if a not in labels.ACTIONS} - {"trail.baseline", "rows.sealed", "schema.upgraded",
                                                                  "auth.login_failed", "process.deploy_requested",
                                                                  "process.deploy_confirmed"}
    assert not unnamed, unnamed
