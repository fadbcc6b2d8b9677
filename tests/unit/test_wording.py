"""The engine's sentences with values (``engine.domain.wording``): each is recognised again from
its English, also as read back from the database, and said in another language with its values
formatted for the reader; a sentence nobody marked is left alone."""
import re

import pytest

import engine.domain.deadlines  # noqa: F401  (marks the clocks' sentences)
import engine.services.allegations  # noqa: F401
import engine.services.complaints  # noqa: F401
import engine.services.file_access  # noqa: F401
import engine.services.scheduler  # noqa: F401
from engine.domain import wording

EXAMPLES = {wording.TIME: "2026-03-02 09:30 UTC", wording.SPAN: "27 h 05 min", wording.LEFT: "1 d 03 h 05 min",
            wording.NUMBER: "48", wording.SENTENCE: "no evidence recorded yet",
            wording.SENTENCES: "no evidence recorded yet; evidence incomplete", wording.TERM: "custody term", wording.RIGHT: "time and facilities for the defence; access to the file",
            wording.CODE: "trial", wording.TEXT: "IJ-2026-344"}


def example(msgid: str) -> str:
    names = re.findall(r"%\((\w+)\)s", msgid)
    return msgid % {n: EXAMPLES[wording.PLACEHOLDERS.get(n, wording.TEXT)] for n in names}


@pytest.mark.parametrize("msgid", wording.marked())
def test_every_marked_sentence_is_recognised_as_itself(msgid):
    assert wording.recognise(example(msgid))[0] == msgid


def fake_russian(msgid: str) -> str:
    return "RU[" + msgid + "]"


def shouting(msgid: str) -> str:
    """A catalogue that translates everything into capitals (its placeholders kept)."""
    return re.sub(r"%\((\w+)\)S", lambda m: "%(" + m.group(1).lower() + ")s", msgid.upper())


def test_a_clock_reason_is_said_again_with_its_time_in_the_readers_zone():
    sentence = wording.say(engine.domain.deadlines.CUSTODY_EXPIRED, due="2026-05-02 09:30 UTC")
    assert sentence == "custody term expired at 2026-05-02 09:30 UTC without an extension: release is mandatory"
    said = wording.translate(sentence, fake_russian, lambda utc: "02.05.2026 14:30")
    assert said == "RU[custody term expired at 02.05.2026 14:30 without an extension: release is mandatory]"


def test_nested_sentences_and_a_cited_right_are_translated_part_by_part():
    from engine.domain.catalogue import NO_ORDER
    from engine.services.scheduler import HEADLINES
    reason = wording.say(NO_ORDER, hours=48, started="2026-03-02 09:30 UTC")
    headline = wording.say(HEADLINES[True, True], reasons=reason + "; no evidence recorded yet",
                           citation="ICCPR 9(3)")
    said = wording.translate(headline, shouting, lambda utc: "LOCAL")
    assert said == ("MANDATORY RELEASE: NO JUDICIAL ORDER WITHIN 48 H OF APPREHENSION (LOCAL): RELEASE IS "
                    "MANDATORY; NO EVIDENCE RECORDED YET (ICCPR 9(3))")
    cited = wording.say(wording.CITED, reason="no evidence recorded yet", right="Interpreter", citation="CPC art 30")
    assert wording.translate(cited, shouting, str) == "NO EVIDENCE RECORDED YET (INTERPRETER; CPC art 30)"


def test_a_sentence_with_a_part_nobody_translated_is_left_to_the_caller():
    russian = {"%(reason)s; due by %(when)s": "%(reason)s; срок — до %(when)s"}
    sentence = "something the engine never marked; due by 2026-03-02 09:30 UTC"
    assert wording.translate(sentence, lambda m: russian.get(m, m), str) is None
    assert wording.translate("free text someone typed", str.upper, str) is None


def test_an_unmarked_message_cannot_be_said():
    with pytest.raises(AssertionError):
        wording.say("an unmarked %(thing)s", thing=1)


# The sentences the engine words from internal codes (issue 11): each is recognised and reads in
# Russian with its codes (a stage, a role, the derogation grounds, an offence category, the fields
# an extension lacks, the act that ended a detention) in Russian words too.  Only the citations
# (Directive ..., art ...) stay as written.
def _derogation_refusals():
    from dataclasses import replace
    from datetime import date, datetime, timezone

    from engine.domain.catalogue import derogation_refusal
    from engine.domain.facts import CaseFacts
    from engine.domain.params import Params
    t0, params = datetime(2024, 1, 31, 10, 0, tzinfo=timezone.utc), Params()
    adult = CaseFacts(detained=True, apprehended_at=t0, birth_date=date(1990, 5, 17), citizenship="KZ")
    ground = "urgent_risk_to_life_liberty_or_physical_integrity"
    refusals = [derogation_refusal(adult, ground, "supervising_prosecutor", t0, params, stage="preliminary_hearing"),
                derogation_refusal(replace(adult, birth_date=date(2008, 6, 1)), ground, "supervising_prosecutor",
                                   t0, params),
                derogation_refusal(replace(adult, needs_interpreter=True, cannot_defend_self=True, jury_trial=True,
                                           defence_mandatory=True, offence_category="especially_grave"),
                                   ground, "supervising_prosecutor", t0, params),
                derogation_refusal(adult, ground, "prosecutor", t0, params),
                derogation_refusal(adult, ground, None, t0, params),
                derogation_refusal(adult, None, "supervising_prosecutor", t0, params)]
    return refusals


def _refused_waiver_and_delay():
    from datetime import date, datetime, timezone

    from engine.domain import catalogue
    from engine.domain.facts import CaseFacts
    from engine.domain.params import Params
    from engine.domain.rights import CheckContext, EvidenceRecord
    t0 = datetime(2024, 1, 31, 10, 0, tzinfo=timezone.utc)
    facts = CaseFacts(detained=True, apprehended_at=t0, birth_date=date(1990, 5, 17), citizenship="KZ",
                      needs_interpreter=True)
    waiver = EvidenceRecord("counsel_before_interrogation", {"waived": True}, occurred_at=t0, recorded_at=t0,
                            actor="investigator.a")
    refused = catalogue.evaluate(catalogue.get("counsel_before_interrogation"), facts, waiver, t0, Params())
    delay = EvidenceRecord("family_consular_notice", {"delay_reason": "accomplices at large"}, occurred_at=t0,
                           recorded_at=t0, actor="investigator.a")
    _, problems = catalogue.notice_delay(CheckContext(facts, delay, t0, Params()))
    derogation = EvidenceRecord("counsel_before_interrogation", {
        "derogation_ground": "prevent_substantial_jeopardy_to_proceedings", "derogation_granted_by": "prosecutor.s",
        "derogation_granted_by_role": "supervising_prosecutor"}, occurred_at=t0, recorded_at=t0, actor="investigator.a")
    granted = catalogue.evaluate(catalogue.get("counsel_before_interrogation"), CaseFacts(
        detained=True, apprehended_at=t0, birth_date=date(1990, 5, 17), citizenship="KZ"), derogation, t0, Params())
    return [refused.reasons[0], problems[0], granted.flags[0]]


def _converted():
    from engine.domain import acts, catalogue
    return _derogation_refusals() + _refused_waiver_and_delay() + [
        wording.say(catalogue.EXTENSION_LACKS, lacking="extended_until, approved_by, grounds"),
        wording.say(acts.DETENTION_ENDED_BY, ended_by="custody_decision"),
        wording.say(acts.DETENTION_ENDED_BY, ended_by="release")]


def test_the_derogation_refusals_keep_their_english():
    """Stored as before the wording was marked: tests, the audit trail and the API compare it."""
    refusals = _derogation_refusals()
    assert refusals[0] == ("the right to a lawyer from the first questioning: a derogation is possible only at the "
                           "pre-trial stage, not at the preliminary hearing (Directive 2013/48 art 3(6))")
    assert refusals[2] == ("the right to a lawyer from the first questioning: no derogation where defence is mandatory "
                           "(the person cannot defend themselves; the person does not speak the language of "
                           "proceedings; the charge is especially grave; the case is tried by a jury; defence was "
                           "declared mandatory; CPC art 67)")
    assert refusals[4].endswith("not a person without a role (Directive 2013/48 art 3(6))")
    assert refusals[5] == ("the right to a lawyer from the first questioning: a derogation needs one of the grounds of "
                           "Directive 2013/48 art 3(6) (urgent_risk_to_life_liberty_or_physical_integrity, "
                           "prevent_substantial_jeopardy_to_proceedings), not none")
    waiver, delay, flag = _refused_waiver_and_delay()
    assert flag == ("statement taken under a temporary derogation from the right to a lawyer from the first "
                    "questioning (Directive 2013/48 art 3(6), ground: prevent_substantial_jeopardy_to_proceedings): "
                    "admissibility to be ruled on")
    assert waiver == ("waiver not allowed: defence is mandatory (minor or other CPC art 67 case): the person does not "
                      "speak the language of proceedings (right to a lawyer from the first questioning; Salduz v Turkey; "
                      "Directive 2013/48 arts 3, 9; CPC arts 64, 67)")
    assert delay == ("a delay needs a ground of Directive 2013/48 art 5(3) (serious_risk_to_life_liberty_or_physical_"
                     "integrity, prevent_substantial_jeopardy_to_proceedings), not 'none' (the right to have the family "
                     "told of the detention)")


@pytest.fixture(scope="module")
def in_russian():
    from flask import Flask
    from flask_babel import force_locale

    from web import i18n
    app = Flask("web")
    app.config.update(TIMEZONE="Asia/Almaty")
    i18n.init_app(app)
    with app.test_request_context("/"), force_locale("ru"):
        yield


@pytest.mark.parametrize("sentence", _converted())
def test_a_sentence_worded_from_codes_reads_in_russian(sentence, in_russian):
    from web.i18n import labels
    assert wording.recognise(sentence) is not None
    said = labels.reason(sentence)
    citations = (r"Salduz v Turkey; Directive 2013/48 arts 3, 9; CPC arts 64, 67", r"Directive \d+/\d+ art \d+\(\d+\)")
    prose = re.sub("|".join(citations), "", said)
    assert not re.search(r"[A-Za-z]", prose), said


def test_a_refused_derogation_is_said_in_russian_where_it_is_refused(in_russian):
    """The page that grants a derogation shows the engine's refusal (an ``OverrideRefused``)."""
    from engine.domain.errors import OverrideRefused
    from web.filters import error_message
    refusal = _derogation_refusals()[3]
    said = error_message(OverrideRefused(refusal))
    assert said.startswith("право на защитника с первого допроса") and "процессуальный прокурор" in said
