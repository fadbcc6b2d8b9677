"""The legal clocks computed from the facts (pure): each clock's deadline at its boundary,
its warnings, and what moves it; and the display helpers."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from engine.domain.deadlines import (Action, State, legal_clocks, parse_offsets, warning_offsets,
                                     warning_times)
from engine.domain.display import display_zone, local_time, parse_span, time_left
from engine.domain.params import Params
from engine.domain.rights import EvidenceRecord

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
P = Params()
ADULT = {"suspect_birth_date": "1990-05-17", "suspect_citizenship": "KZ"}


def iso(moment):
    return moment.isoformat()


def clocks(data, evidence=None, stage="detention", closed=False, now=T0, params=P):
    found = legal_clocks(data, evidence or {}, stage, closed, now, params)
    return {c.id: c for c in found}


def ev(checkpoint, **data):
    return EvidenceRecord(checkpoint, data, T0, T0, "someone")


@pytest.mark.parametrize("facts,hours", [
    (ADULT, 48),
    ({**ADULT, "offence_category": "especially_grave"}, 72),
    ({**ADULT, "offence_category": "terrorist"}, 72),
    ({**ADULT, "state_of_emergency": True}, 72),
    ({"suspect_birth_date": "2010-01-01"}, 24),                                   # a child
    ({**ADULT, "age_in_doubt": True}, 24),                                        # presumed a child
    ({"suspect_birth_date": "2010-01-01", "offence_category": "especially_grave"}, 24),
])
def test_judicial_review_deadline_runs_from_apprehension(facts, hours):
    clock = clocks({**facts, "apprehended_at": iso(T0)})["detention_judicial_review"]
    assert clock.due_at == T0 + timedelta(hours=hours) and clock.starts_at == T0
    assert clock.state is State.OPEN and clock.rule.action is Action.RELEASE_AND_BREACH
    assert clock.warnings == (clock.due_at - timedelta(hours=12), clock.due_at - timedelta(hours=4))


def test_a_corrected_age_or_a_late_entered_time_moves_the_judicial_review():
    base = {**ADULT, "apprehended_at": iso(T0)}
    assert clocks(base)["detention_judicial_review"].due_at == T0 + timedelta(hours=48)
    corrected = {**base, "suspect_birth_date": "2009-06-01"}  # 16 at apprehension
    assert clocks(corrected)["detention_judicial_review"].due_at == T0 + timedelta(hours=24)
    earlier = ev("detention_judicial_review", apprehended_at=iso(T0 - timedelta(hours=5)))
    moved = clocks(base, {"detention_judicial_review": earlier})["detention_judicial_review"]
    assert moved.due_at == T0 + timedelta(hours=43) and moved.starts_at == T0 - timedelta(hours=5)


def test_judicial_review_is_met_by_a_timely_hearing_and_not_by_a_late_one():
    data = {**ADULT, "apprehended_at": iso(T0)}
    hearing = dict(protocol_at=iso(T0), petition_at=iso(T0 + timedelta(hours=30)), judge="J",
                   order_number="1", outcome="custody")
    timely = ev("detention_judicial_review", hearing_at=iso(T0 + timedelta(hours=47, minutes=59)), **hearing)
    late = ev("detention_judicial_review", hearing_at=iso(T0 + timedelta(hours=48, minutes=1)), **hearing)
    now = T0 + timedelta(hours=49)
    assert clocks(data, {"detention_judicial_review": timely}, now=now)["detention_judicial_review"].state is State.MET
    assert clocks(data, {"detention_judicial_review": late}, now=now)["detention_judicial_review"].state is State.OPEN


def test_no_detention_no_judicial_review_clock():
    assert "detention_judicial_review" not in clocks(ADULT)


def test_family_then_consulate_notice_deadlines():
    foreigner = {"suspect_citizenship": "CN", "apprehended_at": iso(T0)}
    assert clocks(foreigner)["family_consular_notice"].due_at == T0 + timedelta(hours=12)
    told = ev("family_consular_notice", family_member="wife", method="phone",
              family_notified_at=iso(T0 + timedelta(hours=2)))
    clock = clocks(foreigner, {"family_consular_notice": told})["family_consular_notice"]
    assert clock.due_at == T0 + timedelta(hours=24) and clock.state is State.OPEN  # the consulate is owed
    both = ev("family_consular_notice", family_member="wife", method="phone",
              family_notified_at=iso(T0 + timedelta(hours=2)), consulate_notified_at=iso(T0 + timedelta(hours=23)))
    assert clocks(foreigner, {"family_consular_notice": both})["family_consular_notice"].state is State.MET


def custody(expires, **extra):
    return ev("custody_term_review", order_number="C-1", ordered_at=iso(T0), expires_at=iso(expires),
              reasons="risk of flight", alternatives_considered="bail refused", **extra)


def test_custody_term_runs_to_its_expiry_and_an_extension_moves_it():
    data = {**ADULT, "apprehended_at": iso(T0)}
    first = clocks(data, {"custody_term_review": custody(T0 + timedelta(days=60))}, stage="custody")
    clock = first["custody_term_review"]
    assert clock.due_at == T0 + timedelta(days=60) and clock.state is State.OPEN
    assert clock.warnings == (T0 + timedelta(days=57),) and clock.rule.action is Action.RELEASE
    # no petition: 3 days before expiry is an escalation, not a mere warning
    assert clock.escalate_at == T0 + timedelta(days=57) and "petition" in clock.escalation_reason
    # a typed term beyond the law is cut to 2 calendar months from the order (2 Mar -> 2 May)
    typed = clocks(data, {"custody_term_review": custody(T0 + timedelta(days=365))},
                   stage="custody")["custody_term_review"]
    assert typed.due_at == datetime(2026, 5, 2, 9, 0, tzinfo=timezone.utc)
    extended = clocks(data, {"custody_term_review": custody(
        T0 + timedelta(days=60), petition_at=iso(T0 + timedelta(days=50)),
        extended_until=iso(datetime(2026, 6, 2, 9, 0, tzinfo=timezone.utc)))},
        stage="custody")["custody_term_review"]
    assert extended.due_at == datetime(2026, 6, 2, 9, 0, tzinfo=timezone.utc)
    # the petition that made this term says nothing about the next expiry
    assert extended.escalate_at == datetime(2026, 5, 30, 9, 0, tzinfo=timezone.utc)
    petitioned = clocks(data, {"custody_term_review": custody(
        T0 + timedelta(days=60), petition_at=iso(T0 + timedelta(days=50)))},
        stage="custody")["custody_term_review"]
    assert petitioned.escalate_at is None and petitioned.escalation_reason == ""


@pytest.mark.parametrize("stage, closed, extra, state", [
    ("trial", False, {}, State.OPEN),                 # terms run through the court stages
    ("preliminary_hearing", False, {}, State.OPEN),
    ("trial", False, {"verdict_pronounced_at": iso(T0 + timedelta(days=30))}, State.MET),
    ("trial", False, {"released_at": iso(T0 + timedelta(days=10))}, State.MET),
    ("trial", False, {"released_at": iso(T0 - timedelta(days=1))}, State.OPEN),  # before order
    ("closed", True, {}, State.MET),
])
def test_custody_term_ends_only_with_verdict_release_or_closing(stage, closed, extra, state):
    data = {**ADULT, "apprehended_at": iso(T0), **extra}
    clock = clocks(data, {"custody_term_review": custody(T0 + timedelta(days=60))}, stage=stage,
                   closed=closed).get("custody_term_review")
    # a person released is no longer held: the term's clock ends (met, or gone with the detention)
    assert (clock.state if clock is not None else State.MET) is state
    assert clock is None or clock.escalate_to == ("judge" if stage in ("trial", "preliminary_hearing")
                                 else "supervising_prosecutor")


@pytest.mark.parametrize("form,days", [("full", 60), ("expedited", 15), ("protocol", 10), ("order", 5)])
def test_investigation_term_from_registration_by_form(form, days):
    clock = clocks({"registered_at": iso(T0), "investigation_form": form}, stage="investigation")["reasonable_time"]
    assert clock.due_at == T0 + timedelta(days=days) and clock.state is State.OPEN
    assert clock.rule.flags_acts_after


def test_investigation_term_extension_interruptions_and_end():
    data = {"registered_at": iso(T0)}
    extension = ev("reasonable_time", extended_until=iso(T0 + timedelta(days=90)), approved_by="district prosecutor",
                   grounds="expert examinations", extended_at=iso(T0 + timedelta(days=50)))
    assert clocks(data, {"reasonable_time": extension})["reasonable_time"].due_at == T0 + timedelta(days=90)
    paused = {**data, "investigation_interruptions": [{"from": iso(T0 + timedelta(days=10)),
                                                        "to": iso(T0 + timedelta(days=17))}]}
    assert clocks(paused)["reasonable_time"].due_at == T0 + timedelta(days=67)
    running = {**data, "investigation_interruptions": [{"from": iso(T0 + timedelta(days=10))}]}
    assert clocks(running)["reasonable_time"].state is State.SUSPENDED
    assert clocks(data, stage="completion")["reasonable_time"].state is State.MET


def test_complaint_ruling_term_from_filing_not_the_complainants_fifteen_days():
    clock = clocks({"complaint_filed_at": iso(T0)}, stage="complaint")["complaint_review"]
    assert clock.due_at == T0 + timedelta(days=5) and clock.rule.action is Action.ESCALATE
    ruled = clocks({"complaint_filed_at": iso(T0), "ruled_at": iso(T0 + timedelta(days=2))},
                   {"complaint_review": ev("complaint_review", complaint_registered_at=iso(T0),
                                           routed_to="Judge J")}, stage="complaint")["complaint_review"]
    assert ruled.state is State.MET


def test_ill_treatment_referral_clock_runs_from_the_earliest_allegation_not_referred():
    pending = {"ill_treatment_alleged_at": iso(T0 + timedelta(hours=5)),
               "ill_treatment_referral_from": iso(T0)}
    clock = clocks(pending, stage="investigation")["medical_examination"]
    assert clock.due_at == T0 + timedelta(hours=24) and clock.state is State.OPEN
    referred = {"ill_treatment_alleged_at": iso(T0), "ill_treatment_referred_at": iso(T0 + timedelta(hours=3))}
    assert clocks(referred, stage="investigation")["medical_examination"].state is State.MET


def test_appeal_period_from_pronouncement_or_from_service_for_a_detainee():
    pronounced = {"verdict_pronounced_at": iso(T0)}
    assert clocks(pronounced, stage="trial")["appeal_notice"].due_at == T0 + timedelta(days=15)
    served = ev("appeal_notice", pronounced_at=iso(T0), copy_served_at=iso(T0 + timedelta(days=4)))
    # held in custody at the verdict: the copy is owed within 5 days (the period runs from it)
    detainee = {**pronounced, "in_custody_at_verdict": True}
    assert clocks(detainee, stage="trial")["appeal_notice"].due_at == T0 + timedelta(days=5)
    # detained once, on bail at the verdict: from pronouncement
    assert clocks({**pronounced, "detained": True}, {"appeal_notice": served},
                  stage="trial")["appeal_notice"].due_at == T0 + timedelta(days=15)
    # derived: custody ordered and not released before the pronouncement
    ordered = {**pronounced, "outcome": "custody", "ordered_at": iso(T0 - timedelta(days=90))}
    assert clocks(ordered, stage="trial")["appeal_notice"].due_at == T0 + timedelta(days=5)
    released = {**ordered, "released_at": iso(T0 - timedelta(days=1))}
    assert clocks(released, stage="trial")["appeal_notice"].due_at == T0 + timedelta(days=15)


def test_preliminary_hearing_within_ten_days_of_the_decision():
    sent = {"indictment_decision": "send_to_court", "indictment_served_at": iso(T0)}
    clock = clocks(sent, stage="indictment")["preliminary_hearing"]
    assert clock.due_at == T0 + timedelta(days=10) and clock.kind == "procedure" and clock.state is State.OPEN
    assert clocks(sent, stage="preliminary_hearing")["preliminary_hearing"].state is State.MET
    assert "preliminary_hearing" not in clocks({"indictment_decision": "terminate"}, stage="indictment")


def test_warnings_are_parameters():
    params = Params(detention_review_warning_hours="6", custody_warning_days=5)
    assert warning_offsets("detention_judicial_review", params) == (timedelta(hours=6),)
    assert warning_offsets("custody_term_review", params) == (timedelta(days=5),)
    assert warning_offsets("family_consular_notice", P) == ()
    assert parse_offsets("12, 4;1", "hours") == (timedelta(hours=12), timedelta(hours=4), timedelta(hours=1))
    assert warning_times(T0, parse_offsets("4,12", "hours")) == (T0 - timedelta(hours=12), T0 - timedelta(hours=4))
    assert Params.from_env({"HABEAS_PARAM_DETENTION_REVIEW_WARNING_HOURS": "8,2"}).detention_review_warning_hours == "8,2"


def test_display_in_the_configured_zone():
    zone = display_zone(P, environ={})
    assert zone.key == "Asia/Almaty"
    assert display_zone(P, environ={"HABEAS_TIMEZONE": "Europe/Berlin"}).key == "Europe/Berlin"
    assert display_zone(Params(display_timezone="UTC"), environ={}).key == "UTC"
    assert local_time(T0, ZoneInfo("Asia/Almaty")) == "2026-03-02 14:00 +05"
    assert local_time(None, zone) == ""
    assert time_left(T0 + timedelta(hours=25, minutes=5), T0) == "1 d 01 h 05 min"
    assert time_left(T0 - timedelta(minutes=90), T0) == "overdue by 1 h 30 min"
    assert parse_span("24h") == timedelta(hours=24) and parse_span("3d") == timedelta(days=3)
    assert parse_span("90m") == timedelta(minutes=90) and parse_span("2") == timedelta(hours=2)
    with pytest.raises(ValueError):
        parse_span("soon")
