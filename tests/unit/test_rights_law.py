"""The law of issue 8 (the brief's "Precisions after the first legal review"): every right's
override policy, applicability and deadline against the brief, with the boundaries; counsel
waivers and derogations; mandatory defence; languages; notice delays; the appeal clock."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.domain import catalogue
from engine.domain.catalogue import (INTERPRETER_ACTS, derogation_refusal, escalation_role, evaluate,
                                     get, guarding, override_roles, policy_table)
from engine.domain.facts import CaseFacts
from engine.domain.params import Params
from engine.domain.rights import EvidenceRecord, OverridePolicy, Status

T0 = datetime(2024, 1, 31, 10, 0, tzinfo=timezone.utc)
P = Params()
ADULT = CaseFacts(detained=True, apprehended_at=T0, birth_date=date(1990, 5, 17),
                  citizenship="KZ")
CHILD = replace(ADULT, birth_date=date(2008, 6, 1))          # 15 at T0
FOREIGN = replace(ADULT, citizenship="UZ")
FOREIGN_CHILD = replace(CHILD, citizenship="UZ")


def at(**delta):
    return T0 + timedelta(**delta)


def record(cid, actor="investigator.a", **data):
    data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    return EvidenceRecord(cid, data, occurred_at=T0, recorded_at=T0, actor=actor)


def run(cid, facts=ADULT, now=T0, params=P, stage=None, actor=None, act=None, recorder=None,
        **data):
    evidence = record(cid, **({"actor": recorder} if recorder else {}), **data) if data else None
    return evaluate(get(cid), facts, evidence, now, params, stage, actor=actor, act=act)


# --------------------------------------------------------------------------------------------
# The table: every right's override policy, roles, applicability and deadline
# --------------------------------------------------------------------------------------------

SP, JUDGE = ["supervising_prosecutor"], ["judge"]
NEVER, BY_ROLE = "never", "by_role"

BRIEF_TABLE = {
    # id: (override, roles outside court, roles at court stages, deadline text contains)
    "detention_judicial_review": (NEVER, [], [], "apprehension + 48 h (72 h listed crimes, "
                                                 "24 h minors)"),
    "rights_information": (NEVER, [], [], "before the act"),
    "counsel_before_interrogation": ("derogation_or_waiver", SP, [], "before the act"),
    "silence_caution": (BY_ROLE, SP, JUDGE, "before the act"),
    "interpreter": (NEVER, [], [], "before the act"),
    "family_consular_notice": (BY_ROLE, SP, JUDGE, "family within 12 h (lawful delay at most "
                                                   "48 h, never for a child); consulate within "
                                                   "24 h, never delayed"),
    "medical_examination": (NEVER, [], [], "an ill-treatment allegation referred within 24 h"),
    "juvenile_safeguards": (NEVER, [], [], "before the act"),
    "suspect_status_approval": (NEVER, [], [], "before the act"),
    "custody_term_review": (BY_ROLE, SP, JUDGE, "first term 2 calendar months from the order; "
                                                "extensions to 3/9 months, ceilings 12/18 "
                                                "months; escalation 3 days before expiry"),
    "reasonable_time": (BY_ROLE, SP, JUDGE, "registration + 60 days"),
    "complaint_review": (BY_ROLE, SP, JUDGE, "ruling within 5 days of filing"),
    "file_access_disclosure": (NEVER, [], [], "before the act"),
    "jury_right": (BY_ROLE, SP, JUDGE, "before the act"),
    "appeal_notice": (BY_ROLE, SP, JUDGE, "15 days from pronouncement; for a convict in custody "
                                          "from service of the copy, owed within 5 days"),
    "ombudsperson_access": (BY_ROLE, SP, JUDGE, "before the act"),
}


def test_policy_table_lists_the_sixteen_rights_against_the_brief():
    table = policy_table()
    assert list(table) == list(BRIEF_TABLE)
    for cid, (override, roles, court_roles, deadline) in BRIEF_TABLE.items():
        row = table[cid]
        assert row["override"] == override, cid
        assert row["roles"] == roles, cid
        assert row["court_roles"] == court_roles, cid
        assert deadline in row["deadline"], cid
        assert row["applies"], cid


@pytest.mark.parametrize("cid", list(BRIEF_TABLE))
def test_no_override_roles_for_absolute_rights_at_any_stage(cid):
    policy = get(cid).override
    for stage in ("custody", "interrogation", "trial", "appeal", "cassation", None):
        roles = override_roles(cid, stage)
        if policy is OverridePolicy.NEVER:
            assert roles == frozenset()
        elif policy is OverridePolicy.DEROGATION_OR_WAIVER and stage in ("trial", "appeal",
                                                                          "cassation"):
            assert roles == frozenset()  # the derogation is pre-trial only
        elif stage in ("trial", "appeal", "cassation"):
            assert roles == frozenset({"judge"})
        else:
            assert roles == frozenset({"supervising_prosecutor"})


@pytest.mark.parametrize("stage, role", [
    ("investigation", "supervising_prosecutor"), ("custody", "supervising_prosecutor"),
    ("indictment", "supervising_prosecutor"), ("preliminary_hearing", "judge"),
    ("trial", "judge"), ("appeal", "judge"), ("cassation", "judge"), (None, "supervising_prosecutor"),
])
def test_escalations_at_court_stages_go_to_the_court(stage, role):
    assert escalation_role("custody_term_review", stage) == role
    assert override_roles("appeal_notice", stage) == frozenset({role})


def test_escalation_role_refuses_an_unknown_checkpoint():
    with pytest.raises(KeyError):
        escalation_role("right_to_a_pony", "trial")


# Applicability, against the brief ----------------------------------------------------------

@pytest.mark.parametrize("cid, facts, applies", [
    ("detention_judicial_review", ADULT, True),
    ("detention_judicial_review", replace(ADULT, detained=False, apprehended_at=None), False),
    ("juvenile_safeguards", CHILD, True),
    ("juvenile_safeguards", replace(ADULT, age_in_doubt=True), True),   # presumed a child
    ("juvenile_safeguards", ADULT, False),
    ("interpreter", replace(ADULT, needs_interpreter=True), True),
    ("interpreter", ADULT, False),
    ("jury_right", replace(ADULT, jury_eligible=True), True),
    ("jury_right", ADULT, False),
    ("appeal_notice", replace(ADULT, verdict_pronounced_at=T0), True),
    ("appeal_notice", ADULT, False),
    ("rights_information", replace(ADULT, detained=False), True),
    ("counsel_before_interrogation", replace(ADULT, detained=False), True),
])
def test_applicability(cid, facts, applies):
    assert (run(cid, facts=facts).status is not Status.NOT_APPLICABLE) is applies


def test_juvenile_safeguards_never_guard_the_detention_stage():
    assert "juvenile_safeguards" not in {cp.id for cp in guarding("detention")}
    for stage in ("suspicion", "interrogation", "custody", "trial"):
        assert "juvenile_safeguards" in {cp.id for cp in guarding(stage)}


# Deadline boundaries -----------------------------------------------------------------------

HEARING = dict(protocol_at=at(hours=1), petition_at=at(hours=20), judge="J", order_number="O-1",
               outcome="custody")


@pytest.mark.parametrize("facts, hearing, status", [
    (ADULT, at(hours=47, minutes=59), Status.PASSED),
    (ADULT, at(hours=48), Status.PASSED),
    (ADULT, at(hours=48, minutes=1), Status.FAILED),
    (replace(ADULT, offence_category="terrorist"), at(hours=72), Status.PASSED),
    (replace(ADULT, offence_category="terrorist"), at(hours=72, minutes=1), Status.FAILED),
    (replace(ADULT, offence_category="mass_riots"), at(hours=71), Status.PASSED),
    (CHILD, at(hours=24), Status.PASSED),
    (CHILD, at(hours=24, minutes=1), Status.FAILED),
    (replace(CHILD, offence_category="especially_grave"), at(hours=25), Status.FAILED),
])
def test_judicial_review_boundaries(facts, hearing, status):
    result = run("detention_judicial_review", facts=facts, now=at(days=5), hearing_at=hearing,
                 **HEARING)
    assert result.status is status


@pytest.mark.parametrize("told, status", [
    (at(hours=24), Status.PASSED), (at(hours=24, minutes=1), Status.FAILED)])
def test_consulate_within_24_hours(told, status):
    result = run("family_consular_notice", facts=FOREIGN, now=at(days=3), family_member="wife",
                 method="phone", family_notified_at=at(hours=1), consulate_notified_at=told)
    assert result.status is status


def test_custody_first_term_boundary_31_january_plus_two_months():
    data = dict(order_number="C-1", ordered_at=T0, reasons="flight risk",
                alternatives_considered="bail", petition_at=at(days=40))
    lawful = run("custody_term_review", now=at(days=1), expires_at=datetime(
        2024, 3, 31, 10, tzinfo=timezone.utc), **data)
    assert lawful.status is Status.PASSED
    assert lawful.due_at == datetime(2024, 3, 31, 10, tzinfo=timezone.utc)
    typed = run("custody_term_review", now=at(days=1), expires_at=at(days=365), **data)
    assert typed.status is Status.FAILED and "at most 2 months" in typed.reasons[0]
    assert typed.due_at == datetime(2024, 3, 31, 10, tzinfo=timezone.utc)  # the law, not the typing


# --------------------------------------------------------------------------------------------
# Counsel: waiver after independent advice, never where defence is mandatory; derogation
# --------------------------------------------------------------------------------------------

WAIVER = dict(waived=True, waiver_advised_by="lawyer.b", waiver_adviser_bar_number="B-12")


@pytest.mark.parametrize("actor, data, recorder, status", [
    ("investigator.a", WAIVER, None, Status.WAIVED),
    ("lawyer.b", WAIVER, None, Status.FAILED),                       # adviser is the actor
    ("investigator.c", {**WAIVER, "interrogator": "LAWYER.B "}, None, Status.FAILED),
    ("investigator.c", WAIVER, "lawyer.b", Status.FAILED),           # recorded by the adviser
    ("investigator.a", {**WAIVER, "waiver_adviser_bar_number": ""}, None, Status.PENDING),
])
def test_waiver_needs_advice_from_a_lawyer_who_is_not_the_interrogator(actor, data, recorder,
                                                                        status):
    result = run("counsel_before_interrogation", actor=actor, recorder=recorder, **data)
    assert result.status is status
    if status is Status.FAILED:
        assert "interrogator" in result.reasons[0] and "Directive 2013/48" in result.reasons[0]


@pytest.mark.parametrize("facts, ground", [
    (CHILD, "minor"),
    (replace(ADULT, age_in_doubt=True), "minor"),
    (replace(ADULT, cannot_defend_self=True), "cannot defend"),
    (replace(ADULT, needs_interpreter=True), "language of proceedings"),
    (replace(ADULT, offence_category="especially_grave"), "especially grave"),
    (replace(ADULT, offence_category="terrorist"), "terrorist"),
    (replace(ADULT, offence_category="extremist"), "extremist"),
    (replace(ADULT, jury_trial=True), "jury"),
    (replace(ADULT, defence_mandatory=True), "declared mandatory"),
])
def test_no_waiver_where_defence_is_mandatory(facts, ground):
    result = run("counsel_before_interrogation", facts=facts, **WAIVER)
    assert result.status is Status.FAILED
    assert ground in result.reasons[0] and "CPC art" in result.reasons[0]


@pytest.mark.parametrize("facts", [replace(ADULT, offence_category="grave"),
                                   replace(ADULT, offence_category="mass_riots"), ADULT])
def test_waiver_allowed_for_an_adult_without_mandatory_defence(facts):
    assert run("counsel_before_interrogation", facts=facts, **WAIVER).status is Status.WAIVED


GROUND = "urgent_risk_to_life_liberty_or_physical_integrity"


def test_derogation_only_at_the_pre_trial_stage():
    assert derogation_refusal(ADULT, GROUND, "supervising_prosecutor", T0, P,
                              stage="interrogation") is None
    for stage in ("preliminary_hearing", "trial", "appeal", "cassation"):
        assert "pre-trial" in derogation_refusal(ADULT, GROUND, "supervising_prosecutor", T0, P,
                                                 stage=stage)


@pytest.mark.parametrize("facts, ground, role, refused_because", [
    (ADULT, GROUND, "supervising_prosecutor", None),
    (ADULT, "prevent_substantial_jeopardy_to_proceedings", "supervising_prosecutor", None),
    (ADULT, "the investigation is urgent", "supervising_prosecutor", "grounds"),
    (ADULT, None, "supervising_prosecutor", "grounds"),
    (ADULT, GROUND, "prosecutor", "supervising prosecutor"),
    (ADULT, GROUND, "investigator", "supervising prosecutor"),
    (ADULT, GROUND, "judge", "supervising prosecutor"),
    (CHILD, GROUND, "supervising_prosecutor", "child"),
    (replace(ADULT, age_in_doubt=True), GROUND, "supervising_prosecutor", "child"),
    (replace(ADULT, needs_interpreter=True), GROUND, "supervising_prosecutor", "mandatory"),
    (replace(ADULT, offence_category="extremist"), GROUND, "supervising_prosecutor", "mandatory"),
])
def test_derogation_refusal(facts, ground, role, refused_because):
    reason = derogation_refusal(facts, ground, role, T0, P)
    if refused_because is None:
        assert reason is None
    else:
        assert refused_because in reason and "lawyer" in reason


def test_a_derogation_lets_the_act_go_ahead_and_always_flags_the_statement():
    result = run("counsel_before_interrogation", derogation_ground=GROUND,
                 derogation_granted_by="sp.k", derogation_granted_by_role="supervising_prosecutor")
    assert result.status is Status.OVERRIDDEN and result.satisfied
    assert result.flags and "Directive 2013/48 art 3(6)" in result.flags[0]
    refused = run("counsel_before_interrogation", facts=CHILD, derogation_ground=GROUND,
                  derogation_granted_by="sp.k", derogation_granted_by_role="supervising_prosecutor")
    assert refused.status is Status.FAILED and not refused.flags


# --------------------------------------------------------------------------------------------
# Facts: language, mandatory defence, custody at the verdict
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, needs", [
    ({}, False),                                              # finding 8: never from a missing value
    ({"speaks_language_of_proceedings": None}, False),
    ({"speaks_language_of_proceedings": ""}, False),
    ({"speaks_language_of_proceedings": True}, False),
    ({"speaks_language_of_proceedings": "yes"}, False),
    ({"speaks_language_of_proceedings": False}, True),
    ({"speaks_language_of_proceedings": "no"}, True),
    ({"speaks_language_of_proceedings": "No"}, True),
    ({"suspect_language": "kk"}, False),
    ({"suspect_language": "RU"}, False),
    ({"suspect_language": "uz"}, True),
    ({"suspect_language": "uz", "speaks_language_of_proceedings": "yes"}, True),
    ({"needs_interpreter": True}, True),
    ({"needs_interpreter": "1"}, True),
    ({"speaks_language_of_proceedings": 0}, True),
    ({"speaks_language_of_proceedings": "maybe"}, False),      # not an answer: nothing follows
])
def test_needs_interpreter_reads(data, needs):
    assert CaseFacts.from_data(data).needs_interpreter is needs


def test_proceedings_languages_are_a_param():
    params = Params(proceedings_languages="kk,ru,uz")
    assert CaseFacts.from_data({"suspect_language": "uz"}, params).needs_interpreter is False


@pytest.mark.parametrize("data, mandatory", [
    ({"suspect_birth_date": "1990-01-01"}, False),
    ({"suspect_birth_date": "1990-01-01", "cannot_defend_self": True}, True),
    ({"suspect_birth_date": "1990-01-01", "cannot_defend_self": "yes"}, True),
    ({"suspect_birth_date": "1990-01-01", "jury_trial": True}, True),
    ({"suspect_birth_date": "1990-01-01", "offence_category": "terrorist"}, True),
    ({"suspect_birth_date": "1990-01-01", "offence_category": "grave"}, False),
    ({"suspect_birth_date": "2010-01-01"}, True),
    ({"age_in_doubt": True}, True),
])
def test_mandatory_defence_cpc_67(data, mandatory):
    assert CaseFacts.from_data(data).defence_is_mandatory(T0, P) is mandatory


def test_a_child_at_apprehension_keeps_mandatory_defence_after_turning_18():
    facts = CaseFacts.from_data({"suspect_birth_date": "2006-02-15",
                                 "apprehended_at": T0.isoformat()})   # 17 at T0, 18 in February
    assert facts.defence_is_mandatory(at(days=30), P)
    assert run("counsel_before_interrogation", facts=facts, now=at(days=30), **WAIVER).status \
        is Status.FAILED


VERDICT = T0 + timedelta(days=100)


@pytest.mark.parametrize("data, held", [
    ({"in_custody_at_verdict": True}, True),
    ({"in_custody_at_verdict": "no", "outcome": "custody", "ordered_at": T0.isoformat()}, False),
    ({"outcome": "custody", "ordered_at": T0.isoformat()}, True),
    ({"outcome": "custody", "ordered_at": T0.isoformat(),
      "released_at": (VERDICT - timedelta(days=1)).isoformat()}, False),
    ({"outcome": "custody", "ordered_at": T0.isoformat(),
      "released_at": (VERDICT + timedelta(days=1)).isoformat()}, True),   # released after it
    ({"outcome": "bail", "ordered_at": T0.isoformat()}, False),
    ({"detained": True, "apprehended_at": T0.isoformat()}, False),      # detained once, no custody
])
def test_in_custody_at_verdict(data, held):
    facts = CaseFacts.from_data({**data, "verdict_pronounced_at": VERDICT.isoformat()})
    assert facts.in_custody_at_verdict is held


# --------------------------------------------------------------------------------------------
# Languages compared; interpreter per act
# --------------------------------------------------------------------------------------------

LETTER = dict(letter_version="v3", informed_at=at(hours=1), signed=True)
UZBEK = replace(FOREIGN, suspect_language="uz", needs_interpreter=True)


@pytest.mark.parametrize("facts, language, status", [
    (ADULT, "kk", Status.PASSED),
    (ADULT, "ru", Status.PASSED),
    (ADULT, "en", Status.FAILED),
    (UZBEK, "uz", Status.PASSED),
    (UZBEK, "kk", Status.FAILED),                       # the person needs an interpreter
    (replace(ADULT, suspect_language="uz"), "uz", Status.PASSED),   # own language, speaks kk/ru
    (replace(ADULT, needs_interpreter=True), "ru", Status.FAILED),  # language unknown
])
def test_letter_of_rights_in_a_language_understood(facts, language, status):
    result = run("rights_information", facts=facts, language=language, **LETTER)
    assert result.status is status
    if status is Status.FAILED:
        assert "language" in result.reasons[0] and "Directive 2012/13" in result.reasons[0]


COPY = dict(pronounced_at=T0, copy_served_at=at(days=1), rights_explained=True)


@pytest.mark.parametrize("facts, language, status", [
    (replace(ADULT, verdict_pronounced_at=T0), "ru", Status.PASSED),
    (replace(UZBEK, verdict_pronounced_at=T0), "ru", Status.FAILED),
    (replace(UZBEK, verdict_pronounced_at=T0), "uz", Status.PASSED),
])
def test_copy_of_the_verdict_in_a_language_understood(facts, language, status):
    result = run("appeal_notice", facts=facts, now=at(days=2), language=language, **COPY)
    assert result.status is status


@pytest.mark.parametrize("act, applies", [
    ("interrogation", True), ("custody_decision", True), ("indictment", True),
    ("verdict_service", True), ("suspicion_notice", True), ("apprehension", False),
    ("release", False), (None, True),
])
def test_interpreter_applies_per_act(act, applies):
    assert act is None or (act in INTERPRETER_ACTS) is applies
    result = run("interpreter", facts=UZBEK, act=act)
    assert (result.status is not Status.NOT_APPLICABLE) is applies


def test_interpreter_must_work_in_the_persons_language():
    data = dict(interpreter_name="I", qualification="certified", translated_documents="protocol",
                assessed_at=at(hours=1))
    assert run("interpreter", facts=UZBEK, language="uz", **data).status is Status.PASSED
    assert run("interpreter", facts=UZBEK, language="tg", **data).status is Status.FAILED


# --------------------------------------------------------------------------------------------
# Family and consular notice: a lawful delay only on a listed ground, bounded, authorised
# --------------------------------------------------------------------------------------------

DELAY = dict(delay_ground="prevent_substantial_jeopardy_to_proceedings",
             delay_reason="accomplices at large", delay_authorised_by="prosecutor.p",
             delay_authoriser_role="prosecutor", delay_until=at(hours=36))
TOLD = dict(family_member="wife", method="phone")


@pytest.mark.parametrize("facts, data, now, status", [
    # a lawful delay: pending until the delayed deadline, then told in time passes
    (ADULT, DELAY, at(hours=20), Status.PENDING),
    (ADULT, {**DELAY, **TOLD, "family_notified_at": at(hours=36)}, at(days=3), Status.PASSED),
    (ADULT, {**DELAY, **TOLD, "family_notified_at": at(hours=36, minutes=1)}, at(days=3),
     Status.FAILED),
    (ADULT, DELAY, at(hours=36, minutes=1), Status.FAILED),         # after the delayed deadline
    # the bound: apprehension + 48 h
    (ADULT, {**DELAY, "delay_until": at(hours=48), **TOLD, "family_notified_at": at(hours=47)},
     at(days=3), Status.PASSED),
    (ADULT, {**DELAY, "delay_until": at(hours=48, minutes=1), **TOLD,
             "family_notified_at": at(hours=47)}, at(days=3), Status.FAILED),
    # not on a listed ground, not by a prosecutor, unbounded: the 12 h limit stands
    (ADULT, {**DELAY, "delay_ground": "investigative need"}, at(hours=13), Status.FAILED),
    (ADULT, {**DELAY, "delay_authoriser_role": "investigator"}, at(hours=13), Status.FAILED),
    (ADULT, {**DELAY, "delay_authorised_by": ""}, at(hours=13), Status.FAILED),
    (ADULT, {**DELAY, "delay_until": None}, at(hours=13), Status.FAILED),
    (ADULT, {"delay_reason": "risk", "delay_authorised_by": "prosecutor.p"}, at(hours=13),
     Status.FAILED),                                                   # free text passes nothing
    (ADULT, {**DELAY, "delay_authoriser_role": "supervising_prosecutor"}, at(hours=13),
     Status.PENDING),
    # never for a child (finding 5: a foreign child held five days)
    (CHILD, DELAY, at(hours=13), Status.FAILED),
    (FOREIGN_CHILD, DELAY, at(days=5), Status.FAILED),
    # never for the consulate
    (FOREIGN, {**DELAY, **TOLD, "family_notified_at": at(hours=30)}, at(hours=24, minutes=1),
     Status.FAILED),
    (FOREIGN, {**DELAY, **TOLD, "family_notified_at": at(hours=30),
               "consulate_notified_at": at(hours=20)}, at(days=3), Status.PASSED),
])
def test_family_and_consular_notice_delays(facts, data, now, status):
    result = run("family_consular_notice", facts=facts, now=now, **data)
    assert result.status is status, result.reasons


def test_unlawful_delay_says_why_and_names_the_directive():
    result = run("family_consular_notice", facts=CHILD, now=at(hours=13), **DELAY)
    assert any("child" in r and "Directive 2016/800" in r for r in result.reasons)
    bounded = run("family_consular_notice", now=at(hours=13), **{**DELAY, "delay_until": at(days=5)})
    assert any("at most 48 h" in r and "Directive 2013/48 art 5(3)" in r for r in bounded.reasons)


def test_lawful_delay_moves_only_the_family_deadline():
    result = run("family_consular_notice", facts=FOREIGN, now=at(hours=1), **DELAY)
    assert result.due_at == at(hours=24)            # the consulate's, never delayed
    told = run("family_consular_notice", facts=FOREIGN, now=at(hours=25), **DELAY,
               consulate_notified_at=at(hours=3))
    assert told.due_at == at(hours=36) and told.status is Status.PENDING


def test_notice_delay_bound_is_a_param():
    data = {**DELAY, "delay_until": at(hours=60), **TOLD, "family_notified_at": at(hours=59)}
    assert run("family_consular_notice", now=at(days=3), **data).status is Status.FAILED
    assert run("family_consular_notice", now=at(days=3), params=Params(notice_delay_max_hours=72),
               **data).status is Status.PASSED


# --------------------------------------------------------------------------------------------
# Appeal: from pronouncement; from service for a convict in custody, the copy owed in 5 days
# --------------------------------------------------------------------------------------------

HELD = replace(ADULT, verdict_pronounced_at=T0, in_custody_at_verdict=True)
ON_BAIL = replace(ADULT, verdict_pronounced_at=T0, in_custody_at_verdict=False)
SERVE = dict(pronounced_at=T0, language="kk", rights_explained=True)


@pytest.mark.parametrize("facts, served, status, period_end", [
    (ON_BAIL, at(days=15), Status.PASSED, at(days=15)),
    (ON_BAIL, at(days=15, minutes=1), Status.FAILED, at(days=15)),   # time to be restored
    (ON_BAIL, at(days=20), Status.FAILED, at(days=15)),              # finding 7: not day 35
    (HELD, at(days=5), Status.PASSED, at(days=20)),                  # 15 days from service
    (HELD, at(days=5, minutes=1), Status.FAILED, at(days=20, minutes=1)),  # restored, but failed
    (HELD, at(days=20), Status.FAILED, at(days=35)),
])
def test_appeal_period(facts, served, status, period_end):
    result = run("appeal_notice", facts=facts, now=at(days=40), copy_served_at=served, **SERVE)
    assert result.status is status
    assert catalogue.appeal_period_end(facts, T0, served, P) == period_end


def test_late_service_to_a_detainee_is_not_resolved_by_the_service_itself():
    result = run("appeal_notice", facts=HELD, now=at(days=6), copy_served_at=at(days=6), **SERVE)
    assert result.status is Status.FAILED and not result.satisfied
    assert "restored" in result.reasons[0] and "CPC arts 414-417" in result.reasons[0]
    unserved = run("appeal_notice", facts=HELD, now=at(days=5, minutes=1))
    assert unserved.status is Status.FAILED and unserved.due_at == at(days=5)


def test_verdict_copy_days_is_a_param():
    params = Params(verdict_copy_days=7)
    assert run("appeal_notice", facts=HELD, now=at(days=8), params=params,
               copy_served_at=at(days=6), **SERVE).status is Status.PASSED


def test_an_extension_order_counts_its_tiers_from_the_first_order_in_the_facts():
    # the service records an extension as a new term whose order is the extension's
    first = T0
    facts = replace(ADULT, custody_ordered_at=first)
    data = dict(order_number="C-2", ordered_at=at(days=55), expires_at=datetime(
        2024, 4, 30, 10, tzinfo=timezone.utc), petition_at=at(days=50), reasons="flight risk",
        alternatives_considered="bail")
    result = run("custody_term_review", facts=facts, now=at(days=56), **data)
    assert result.status is Status.PASSED and result.clock_started_at == first
    beyond = run("custody_term_review", facts=facts, now=at(days=56),
                 **{**data, "expires_at": at(days=400)})
    assert beyond.due_at == datetime(2024, 10, 31, 10, tzinfo=timezone.utc)  # the 9-month ceiling


def test_house_arrest_at_the_verdict_counts_as_held():
    facts = CaseFacts.from_data({"outcome": "house_arrest", "ordered_at": T0.isoformat(),
                                 "verdict_pronounced_at": VERDICT.isoformat()})
    assert facts.in_custody_at_verdict is True


@pytest.mark.parametrize("extra, escalates", [
    ({}, True),                                                             # no petition
    ({"petition_at": at(days=50)}, False),                                  # petition for this term
    ({"petition_at": at(days=50), "extended_until": datetime(2024, 4, 30, 10, tzinfo=timezone.utc)},
     True),                                                                 # it made this term
    ({"ordered_at": at(days=55), "petition_at": at(days=50)}, True),        # petition before order
])
def test_the_petition_that_made_the_term_does_not_stop_the_next_escalation(extra, escalates):
    data = {**dict(order_number="C-1", ordered_at=T0, expires_at=at(days=59), reasons="flight",
                   alternatives_considered="bail"), **extra}
    facts = replace(ADULT, custody_ordered_at=T0)
    due = catalogue.custody_term_deadline(catalogue.CheckContext(
        facts, record("custody_term_review", **data), at(days=1), P))
    result = run("custody_term_review", facts=facts, now=due - timedelta(days=2), **data)
    assert (result.status is Status.FAILED) is escalates


# A release ends the holding, never a failure it left -------------------------------------

@pytest.mark.parametrize("released, status", [
    (at(hours=47, minutes=59), Status.PASSED),
    (at(hours=48), Status.PASSED),
    (at(hours=48, minutes=1), Status.FAILED),     # held beyond the limit without a judge
    (at(days=5), Status.FAILED),
])
def test_release_before_the_review_deadline_is_lawful_and_after_it_a_breach(released, status):
    facts = replace(ADULT, detained=False, released_at=released)
    result = run("detention_judicial_review", facts=facts, now=at(days=6))
    assert result.status is status
    if status is Status.FAILED:
        assert "before release" in result.reasons[0] and "CPC art 131(4)" in result.reasons[0]


@pytest.mark.parametrize("facts, released, status", [
    (ADULT, at(hours=11), Status.PASSED),           # freed before the family had to be told
    (ADULT, at(hours=13), Status.FAILED),           # held past the bound, family never told
    (FOREIGN, at(hours=13), Status.FAILED),         # the family was owed by 12 h
    (FOREIGN, at(hours=11), Status.PASSED),
])
def test_release_and_the_notice(facts, released, status):
    held = replace(facts, detained=False, released_at=released)
    assert run("family_consular_notice", facts=held, now=at(days=3)).status is status


@pytest.mark.parametrize("released, status", [(at(hours=20), Status.PASSED),
                                              (at(hours=25), Status.FAILED)])
def test_the_consulate_is_owed_while_a_foreigner_is_held(released, status):
    held = replace(FOREIGN, detained=False, released_at=released)
    result = run("family_consular_notice", facts=held, now=at(days=3), **TOLD,
                 family_notified_at=at(hours=2))
    assert result.status is status


@pytest.mark.parametrize("released, status", [
    (datetime(2024, 3, 31, 10, tzinfo=timezone.utc), Status.PASSED),
    (datetime(2024, 3, 31, 10, 1, tzinfo=timezone.utc), Status.FAILED),   # held past the term
])
def test_a_release_after_the_custody_term_stays_a_failure(released, status):
    facts = replace(ADULT, detained=False, custody_ordered_at=T0, released_at=released)
    data = dict(order_number="C-1", ordered_at=T0, expires_at=datetime(
        2024, 3, 31, 10, tzinfo=timezone.utc), reasons="flight", alternatives_considered="bail",
        petition_at=at(days=40))
    assert run("custody_term_review", facts=facts, now=at(days=90), **data).status is status


# Ill-treatment allegations: referred within 24 h, examination after the allegation -----------

EXAM = dict(doctor="Dr M", examined_at=at(hours=3), findings="bruises")
ALLEGED = replace(ADULT, ill_treatment_alleged=True, ill_treatment_alleged_at=at(hours=2))


@pytest.mark.parametrize("data, now, status", [
    ({**EXAM, "referral_at": at(hours=26)}, at(days=2), Status.PASSED),
    ({**EXAM, "referral_at": at(hours=26, minutes=1)}, at(days=2), Status.FAILED),
    (EXAM, at(hours=25), Status.PENDING),
    (EXAM, at(hours=26, minutes=1), Status.FAILED),
    ({**EXAM, "examined_at": at(hours=1), "referral_at": at(hours=5)}, at(hours=6),
     Status.PENDING),                                        # examined before the allegation
])
def test_an_allegation_is_referred_within_24_hours_and_examined_after(data, now, status):
    result = run("medical_examination", facts=ALLEGED, now=now, **data)
    assert result.status is status
    assert result.due_at == at(hours=26)


def test_referral_hours_are_a_param():
    data = {**EXAM, "referral_at": at(hours=30)}
    assert run("medical_examination", facts=ALLEGED, now=at(days=2), **data).status is Status.FAILED
    assert run("medical_examination", facts=ALLEGED, now=at(days=2),
               params=Params(ill_treatment_referral_hours=48), **data).status is Status.PASSED
