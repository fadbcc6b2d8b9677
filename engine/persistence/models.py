"""Tables.  Reports are SQL over the fact tables (stages, evaluations, deadlines, audit),
never replays of workflow state; the workflow state is one JSON document per case, its spec
stored once per deployed version and referenced."""
from datetime import datetime

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..domain.clock import as_utc

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Stored as UTC; always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return as_utc(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return as_utc(value) if value is not None else None


class ProcessVersion(Base):
    """A deployed process model: immutable, stored once by content hash."""

    __tablename__ = "process_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str] = mapped_column(String(80))
    __table_args__ = (UniqueConstraint("process_id", "version", name="uq_process_versions_process_version"),)


class PendingDeployment(Base):
    """A new version that removes guarded elements, waiting for a second designer's or
    administrator's confirmation (four eyes).  Confirmed once, then it points at the version."""

    __tablename__ = "pending_deployments"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)        # the latest version when requested
    removed: Mapped[list] = mapped_column(JSON)               # [{"element", "rights"}]
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | confirmed
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"), nullable=True)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    stage: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | closed
    unit: Mapped[str] = mapped_column(String(80), default="")
    prosecutor: Mapped[str | None] = mapped_column(String(80), index=True)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    # acts done, the qualification in force, detention episodes (engine.domain.acts.Procedure)
    procedure: Mapped[dict | None] = mapped_column(JSON)
    # a complaint case names the criminal case whose act it complains of (CPC 105-106); the
    # criminal case finds its complaints through this column (indexed)
    about_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    workflow_state: Mapped[str] = mapped_column(Text)
    non_compliant: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # a practice case (engine.services.training): never in live lists, reports or ticks; its
    # services run on a virtual clock: the moment it was opened plus this many seconds advanced
    training: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0", index=True)
    clock_offset_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    process_version: Mapped[ProcessVersion] = relationship(lazy="raise")
    __mapper_args__ = {"version_id_col": lock_version}


class TrainingRun(Base):
    """One trainee playing one scenario on one training case, and the score it earned."""

    __tablename__ = "training_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    scenario: Mapped[str] = mapped_column(String(80), index=True)
    trainee: Mapped[str] = mapped_column(String(80), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int | None] = mapped_column(Integer)
    outcomes: Mapped[dict | None] = mapped_column(JSON)  # right -> respected | missed | late | ...


class CaseParty(Base):
    """Who takes part in a case beyond its prosecutor: a defence lawyer sees only their cases."""

    __tablename__ = "case_parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(40))
    __table_args__ = (UniqueConstraint("case_id", "username", name="uq_case_parties_case_user"),)


class StageEntry(Base):
    __tablename__ = "stage_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    task: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(80))
    # reports: each case's first entry into a stage (first detention, first interrogation)
    __table_args__ = (Index("ix_stage_history_stage_case", "stage", "case_id", "entered_at"),)


class CheckpointEvaluation(Base):
    """One row per evaluation of a checkpoint, so compliance reports are plain GROUP BYs."""

    __tablename__ = "checkpoint_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    task: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(80), default="")
    prosecutor: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_evaluations_period", "evaluated_at", "checkpoint", "status"),
                      Index("ix_evaluations_checkpoint_status", "checkpoint", "status"),
                      # reports: is an overdue evaluation satisfied since, in the same case and right?
                      Index("ix_evaluations_case_checkpoint", "case_id", "checkpoint", "evaluated_at"))


class Evidence(Base):
    """Evidence that a right was respected.  Append-only: a correction is a new row."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(80))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    task: Mapped[str | None] = mapped_column(String(200))
    # the act or episode it proves ("interrogation:2", "episode:1"); None: the whole case
    scope: Mapped[str | None] = mapped_column(String(60))
    # reports: the latest record per case for one right (consulate told, approval decisions)
    __table_args__ = (Index("ix_evidence_checkpoint_case", "checkpoint", "case_id"),)


class Override(Base):
    __tablename__ = "overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    legal_ground: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # consumed by the entry it let through


class Escalation(Base):
    """A task for the supervising prosecutor; the case is non-compliant while one is open."""

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    assigned_role: Mapped[str] = mapped_column(String(40), default="supervising_prosecutor")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[str | None] = mapped_column(Text)
    # escalation (a failed escalate checkpoint), warning (a deadline approaches), release (a
    # mandatory release: a missed judicial review or an expired custody term)
    kind: Mapped[str] = mapped_column(String(20), default="escalation", server_default="escalation")
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))


class AdmissibilityFlag(Base):
    """A record an act produced (a statement, a protocol) marked for an admissibility ruling."""

    __tablename__ = "admissibility_flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(60))
    task: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(40))
    record: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ruling: Mapped[str | None] = mapped_column(String(40))


class Allegation(Base):
    """An allegation of ill-treatment (ECHR 3; UNCAT arts 12-13): recorded at any stage, referred
    to the prosecutor for an independent check within the set hours."""

    __tablename__ = "allegations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    alleged_at: Mapped[datetime] = mapped_column(UTCDateTime)        # when the allegation was made
    period_from: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the period it concerns
    period_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(String(40))   # person | defence | representative | official
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(80))
    referral_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referred_by: Mapped[str | None] = mapped_column(String(80))
    referred_to: Mapped[str | None] = mapped_column(String(200))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))


class Deadline(Base):
    """A legal clock, computed from the facts; read by the scheduler through the due-time index."""

    __tablename__ = "deadlines"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # open | met | breached | cancelled | suspended (legal clocks); open | fired | cancelled (timers)
    status: Mapped[str] = mapped_column(String(20), default="open")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # what the scheduler does next and when: the next warning, else the deadline; NULL once done
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warnings_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    action_taken: Mapped[str | None] = mapped_column(String(40))
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    basis: Mapped[str | None] = mapped_column(String(200))  # how the due time was computed
    ref: Mapped[str | None] = mapped_column(String(64))  # a timer's workflow task id
    __table_args__ = (Index("ix_deadlines_open_due", "status", "due_at"),
                      Index("ix_deadlines_next_action", "status", "next_action_at"),
                      UniqueConstraint("case_id", "checkpoint", "kind", name="uq_deadlines_case_clock"))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(8))  # the interface language they chose


class ApiToken(Base):
    """Only a SHA-256 of the token is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until revoked


class UserSession(Base):
    """A web login, bound to the server: the cookie holds a random id, this row only its SHA-256.
    Logout revokes it; it ends by itself when the user is deactivated or changes role."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))  # the role at login: a change of role ends the session
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """A failed login, kept in the database so every worker counts the same guesses."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_login_failures_username_at", "username", "at"),
                      Index("ix_login_failures_address_at", "address", "at"))


class AuditEntry(Base):
    """Append-only trail; each entry's hash covers its content and the previous entry's hash.

    Scheme 1 (before revision 0006_harden_trail): plain SHA-256 over the content, payload included.
    Scheme 2: an HMAC with a key the database does not hold, over the content with the
    payload's digest (so an erased payload leaves the chain verifiable) and the digests of
    the case, evidence and override rows the act wrote (``rows``)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    scheme: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[dict | None] = mapped_column(JSON)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditHead(Base):
    """The chain's head (last seq and hash): a deleted tail entry no longer matches it."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class Incident(Base):
    """A case the engine could not load or move on (as Camunda's incidents): shown on the case,
    listed for admins, and open until an admin retries, repairs or resolves it.  One open row
    per case and kind; a failure that repeats counts up ``occurrences``."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # load_failed | step_failed | deadline_failed
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | resolved
    message: Mapped[str] = mapped_column(Text)
    occurrences: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[str | None] = mapped_column(Text)


class TaskClaim(Base):
    """Who holds a ready task of a case (claimed, or reassigned to them).  One row per task; a
    claim on a task that is no longer ready is ignored by every reader.  Changes are audited."""

    __tablename__ = "task_claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(64))       # the workflow task's id
    lane: Mapped[str | None] = mapped_column(String(40))  # the role whose lane the task is in
    holder: Mapped[str] = mapped_column(String(80), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(80))    # the holder, or who reassigned it
    __table_args__ = (UniqueConstraint("case_id", "task_id", name="uq_task_claims_case_task"),)


class CaseComment(Base):
    """A note on a case by an official working it, optionally about one of its tasks.  Append-only;
    each is audited."""

    __tablename__ = "case_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
