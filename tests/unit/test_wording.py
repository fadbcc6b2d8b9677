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
            wording.TEXT: "IJ-2026-344"}


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
