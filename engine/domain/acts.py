"""Acts and detention episodes: what rights bind to (the brief's "Precisions", first two rules).

A stage label is something a designer types; an *act* is something the engine defines.  Each user
task declares the kind of act it is (``spiffworkflow:property name="act"``), and the rights attach
to acts and detention episodes:

- counsel, the caution, the interpreter, the medical check and a child's safeguards attach to
  *each* act that questions or decides on the person (each interrogation is its own act);
- rights information and the prosecutor's approval attach to each (re)qualification;
- judicial review and family and consular notice attach to each *detention episode* (from the
  apprehension to a release or a custody order).

Evidence recorded for one act never satisfies another: it carries the *scope* of the act or
episode it proves (``"interrogation:2"``, ``"qualification:1"``, ``"episode:1"``), and an act
reads only the evidence of its own scope.  Rights that bind to nothing narrower (the file, the
jury, the appeal) are case-wide (scope ``None``).

The procedure's state (counts of acts done, the qualification in force, the detention episodes)
is a small JSON document kept on the case; every function here is pure.
"""
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .clock import as_utc, parse_instant
from .wording import N_


class ActKind(StrEnum):
    REGISTRATION = "registration"
    INVESTIGATION_OPENING = "investigation_opening"
    INVESTIGATIVE_ACT = "investigative_act"
    APPREHENSION = "apprehension"
    DETENTION_NOTICE = "detention_notice"
    RELEASE = "release"
    QUALIFICATION = "qualification"
    APPROVAL = "approval"
    SUSPICION_NOTICE = "suspicion_notice"
    INTERROGATION = "interrogation"
    CUSTODY_DECISION = "custody_decision"
    CUSTODY_EXTENSION = "custody_extension"
    COMPLETION_NOTICE = "completion_notice"
    FILE_ACCESS = "file_access"
    INDICTMENT = "indictment"
    TERMINATION = "termination"
    PRELIMINARY_HEARING = "preliminary_hearing"
    TRIAL = "trial"
    VERDICT = "verdict"
    VERDICT_SERVICE = "verdict_service"
    APPEAL = "appeal"
    APPEAL_DECISION = "appeal_decision"
    CASSATION_DECISION = "cassation_decision"
    CLOSING = "closing"
    SUPERVISION = "supervision"
    COMPLAINT = "complaint"
    COMPLAINT_REGISTRATION = "complaint_registration"
    COMPLAINT_RULING = "complaint_ruling"


ACT_KINDS = frozenset(k.value for k in ActKind)

# The rights checked on every act of a kind, whatever stage label its task carries.  Release and
# apprehension are guarded by nothing: a person can always be recorded as held, and always freed.
ACT_GUARDS: dict[str, tuple[str, ...]] = {
    ActKind.INTERROGATION: ("rights_information", "suspect_status_approval",
                            "counsel_before_interrogation", "silence_caution", "interpreter",
                            "medical_examination", "juvenile_safeguards", "family_consular_notice"),
    ActKind.CUSTODY_DECISION: ("detention_judicial_review", "interpreter", "medical_examination",
                               "juvenile_safeguards", "family_consular_notice"),
    ActKind.SUSPICION_NOTICE: ("suspect_status_approval", "rights_information", "interpreter",
                               "juvenile_safeguards"),
    ActKind.INDICTMENT: ("file_access_disclosure", "interpreter"),
    ActKind.TRIAL: ("jury_right", "interpreter", "juvenile_safeguards"),
    ActKind.VERDICT_SERVICE: ("interpreter", "appeal_notice"),
    ActKind.COMPLETION_NOTICE: ("reasonable_time",),
}
UNGUARDED = frozenset({ActKind.APPREHENSION, ActKind.RELEASE})
# Acts lawful even after a missed judicial review: the release, and telling the family or the
# consulate that the person is held (it protects the person; refusing it would isolate them).
ALWAYS_LAWFUL = frozenset({ActKind.RELEASE, ActKind.APPREHENSION, ActKind.DETENTION_NOTICE})

# Acts that question or decide on the person: per-act rights bind to each one of them.
PERSONAL_ACTS = frozenset({ActKind.INTERROGATION, ActKind.CUSTODY_DECISION, ActKind.SUSPICION_NOTICE,
                           ActKind.INDICTMENT, ActKind.TRIAL, ActKind.VERDICT_SERVICE})
# Rights whose evidence binds to one act (the next one of a kind it guards).
PER_ACT = frozenset({"counsel_before_interrogation", "silence_caution", "interpreter",
                     "medical_examination", "juvenile_safeguards"})
PER_QUALIFICATION = frozenset({"rights_information", "suspect_status_approval"})
PER_EPISODE = frozenset({"detention_judicial_review", "family_consular_notice"})
# Per-act rights that an act reads from anywhere in the open episode: the medical examination
# on admission is the one made since the apprehension, whichever act it was recorded for.
EPISODE_WIDE = frozenset({("medical_examination", "custody_decision")})

# Custody decisions whose outcome frees the person are releases (never blocked).
FREEING_OUTCOMES = frozenset({"release", "bail"})
DEPRIVING_OUTCOMES = frozenset({"custody", "house_arrest"})


@dataclass(frozen=True)
class Episode:
    """One detention episode: apprehension to release or custody order."""

    no: int
    apprehended_at: datetime | None
    status: str = "open"            # open | released | custody
    ended_at: datetime | None = None
    ended_by: str | None = None     # the act that ended it

    @property
    def open(self) -> bool:
        return self.status == "open"

    def to_dict(self) -> dict:
        return {"no": self.no, "apprehended_at": _iso(self.apprehended_at), "status": self.status,
                "ended_at": _iso(self.ended_at), "ended_by": self.ended_by}

    @classmethod
    def from_dict(cls, d: dict) -> "Episode":
        return cls(no=int(d["no"]), apprehended_at=_instant(d.get("apprehended_at")),
                   status=d.get("status") or "open", ended_at=_instant(d.get("ended_at")),
                   ended_by=d.get("ended_by"))


@dataclass(frozen=True)
class Procedure:
    """Where the case stands in acts: how many of each kind were done, which qualification is in
    force, and its detention episodes."""

    done: dict = field(default_factory=dict)          # act kind -> how many were completed
    qualification: int = 0                            # ordinal of the qualification in force
    episodes: tuple[Episode, ...] = ()

    @property
    def open_episode(self) -> Episode | None:
        return next((e for e in reversed(self.episodes) if e.open), None)

    @property
    def last_episode(self) -> Episode | None:
        return self.episodes[-1] if self.episodes else None

    def ordinal(self, kind: str) -> int:
        """The ordinal of the next act of this kind (1 for the first)."""
        return int(self.done.get(str(kind), 0)) + 1

    def to_dict(self) -> dict:
        return {"done": dict(self.done), "qualification": self.qualification,
                "episodes": [e.to_dict() for e in self.episodes]}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Procedure":
        d = d or {}
        return cls(done=dict(d.get("done") or {}), qualification=int(d.get("qualification") or 0),
                   episodes=tuple(Episode.from_dict(e) for e in d.get("episodes") or ()))


def derive(facts_data: dict) -> Procedure:
    """The procedure of a case opened before acts were recorded (migration): one episode if an
    apprehension is on file, one qualification if a suspicion decision is.  Evidence recorded
    then carries no scope, so per-act rights are evaluated afresh."""
    apprehended = _instant(facts_data.get("apprehended_at"))
    episodes = ()
    if apprehended is not None:
        decided = facts_data.get("outcome") in DEPRIVING_OUTCOMES | FREEING_OUTCOMES
        status = ("custody" if facts_data.get("outcome") in DEPRIVING_OUTCOMES else "released") if decided else "open"
        episodes = (Episode(1, apprehended, status),)
    qualification = 1 if facts_data.get("qualification") else 0
    return Procedure(qualification=qualification, episodes=episodes)


def act_of(kind: str | None, data: dict) -> str | None:
    """The act a task's completion is: a custody decision that frees the person is a release."""
    if kind == ActKind.CUSTODY_DECISION and data.get("outcome") in FREEING_OUTCOMES:
        return ActKind.RELEASE
    return kind


def guards(kind: str | None) -> tuple[str, ...]:
    if kind is None or kind in UNGUARDED:
        return ()
    return ACT_GUARDS.get(kind, ())


def scope_of(checkpoint_id: str, kind: str | None, procedure: Procedure) -> str | None:
    """The scope an act of ``kind`` reads (and its own form writes) for a checkpoint."""
    if checkpoint_id in PER_EPISODE:
        episode = procedure.open_episode or procedure.last_episode
        return f"episode:{episode.no}" if episode else None
    if checkpoint_id in PER_QUALIFICATION:
        return f"qualification:{max(procedure.qualification, 1)}"
    if checkpoint_id in PER_ACT and kind in PERSONAL_ACTS:
        return f"{kind}:{procedure.ordinal(kind)}"
    return None


def scope_for_record(checkpoint_id: str, procedure: Procedure, ready_kinds: list[str],
                     act: str | None = None) -> str | None:
    """Where evidence recorded on its own (not by an act's form) binds: to the act named, else
    to the next act waiting that this right guards, else (per-act rights) to the next
    interrogation."""
    if act is None and checkpoint_id in PER_ACT:
        act = next((k for k in ready_kinds if checkpoint_id in guards(k)), ActKind.INTERROGATION)
    return scope_of(checkpoint_id, act, procedure)


def after(procedure: Procedure, kind: str | None, data: dict, now: datetime) -> Procedure:
    """The procedure once an act of ``kind`` is done with ``data`` (its cleaned form)."""
    if kind is None:
        return procedure
    done = dict(procedure.done)
    done[str(kind)] = int(done.get(str(kind), 0)) + 1
    proc = replace(procedure, done=done)
    if kind == ActKind.APPREHENSION:
        apprehended = _instant(data.get("apprehended_at")) or as_utc(now)
        return replace(proc, episodes=proc.episodes + (Episode(len(proc.episodes) + 1, apprehended),))
    if kind == ActKind.RELEASE:
        moment = _instant(data.get("released_at")) or _instant(data.get("hearing_at")) or as_utc(now)
        return _end_episode(proc, "released", moment, kind)
    if kind == ActKind.CUSTODY_DECISION and data.get("outcome") in DEPRIVING_OUTCOMES:
        moment = _instant(data.get("hearing_at")) or as_utc(now)
        return _end_episode(proc, "custody", moment, kind)
    if kind == ActKind.CUSTODY_DECISION:  # bail or another measure: the person goes free
        moment = _instant(data.get("hearing_at")) or as_utc(now)
        return _end_episode(proc, "released", moment, kind)
    if kind == ActKind.QUALIFICATION:
        return replace(proc, qualification=proc.qualification + 1)
    return proc


# why a detention's judicial-review clock stopped: the act (an ``ActKind``) that ended the episode
DETENTION_ENDED_BY = N_("the detention ended by %(ended_by)s before a judicial order")


def _end_episode(proc: Procedure, status: str, moment: datetime, kind: str) -> Procedure:
    episode = proc.open_episode
    if episode is None:
        return proc
    ended = replace(episode, status=status, ended_at=moment, ended_by=str(kind))
    return replace(proc, episodes=tuple(ended if e.no == episode.no else e for e in proc.episodes))


def _instant(value) -> datetime | None:
    try:
        return parse_instant(value)
    except (TypeError, ValueError):
        return None


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None
