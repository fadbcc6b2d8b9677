"""The unit of work and the case repository (*Architecture Patterns with Python*, ch. 2 and 6).

``with ctx.unit() as uow: case = uow.cases.get(case_id)`` loads the whole case a step needs --
its row, its evidence (the book each act reads by scope), its open overrides, its deadline rows,
its open escalations and tasks, and its running workflow -- in a fixed number of statements (four,
a fifth for the open escalations when the step needs them, plus the workflow when this worker does
not hold it), however long the case's history.  What a
step appends (evaluations, stage entries, evidence, flags, new deadlines) is added with ``uow.add``
and written together at ``commit``, in bulk (the step reads nothing in between, so nothing is
flushed early, and the ORM batches the inserts of one table into one statement); its audit entries
(``uow.audit``) are appended after the rows, in order, last, so the audit chain's head is locked as
briefly as possible.  Leaving the block without ``commit`` rolls
everything back.

The few reads a step makes only in rare cases (a defence lawyer's party check, interrogations after
a breached deadline, complaints awaiting a ruling) are repository methods too, so the services that
use the unit of work hold no SQL and run unchanged on the fake one in the tests."""
from datetime import datetime
from typing import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..domain.errors import NotFound
from . import anchor as audit_anchor
from . import audit
from .models import AdmissibilityFlag, Case, CaseParty, Deadline, Escalation, Evidence, Override, StageEntry


class CaseRecord:
    """The whole case for a step (see the module's docstring).  ``escalations`` are the case's
    open escalations, warnings, referrals and requests, read the first time a step needs them (a
    right failed, evidence resolved one, a clock moved, a release): most steps never do."""

    def __init__(self, row: Case, evidence=(), overrides: dict | None = None, deadlines: dict | None = None,
                 escalations=None, run=None, *, load_escalations: Callable | None = None):
        self.row = row
        self.evidence = list(evidence)
        self.overrides = overrides if overrides is not None else {}    # checkpoint -> unused Override
        self.deadlines = deadlines if deadlines is not None else {}    # (kind, checkpoint) -> Deadline
        self.run = run                                                 # the running workflow
        self._escalations = list(escalations) if escalations is not None else None
        self._load_escalations = load_escalations

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def escalations(self) -> list:
        """Open Escalation rows (new ones are added to it by the step)."""
        if self._escalations is None:
            self._escalations = list(self._load_escalations()) if self._load_escalations else []
        return self._escalations


# The repository's reads, built once (building a statement costs about as much as running it).
_CASE = bindparam("case_id")
_EVIDENCE = select(Evidence).where(Evidence.case_id == _CASE).order_by(Evidence.id)
_OVERRIDES = select(Override).where(Override.case_id == _CASE, Override.used_at.is_(None)).order_by(Override.id)
_DEADLINES = select(Deadline).where(Deadline.case_id == _CASE).order_by(Deadline.id)
_ESCALATIONS = select(Escalation).where(Escalation.case_id == _CASE, Escalation.status == "open").order_by(Escalation.id)


class SqlCaseRepository:
    """Cases from the database, each read in a fixed number of statements."""

    def __init__(self, session: Session, load_run: Callable | None = None):
        self.session = session
        self._load_run = load_run

    def get(self, case_id: int, *, with_run: bool = True) -> CaseRecord:
        return self.attach(self.row(case_id), with_run=with_run)

    def row(self, case_id: int) -> Case:
        """The case's row alone (for acts that read nothing else of it)."""
        row = self.session.get(Case, case_id)
        if row is None:
            raise NotFound(f"no case {case_id}")
        return row

    def attach(self, row: Case, *, with_run: bool = False) -> CaseRecord:
        """The rest of the case for a row already loaded."""
        s, key = self.session, {"case_id": row.id}
        evidence = list(s.execute(_EVIDENCE, key).scalars())
        overrides = {o.checkpoint: o for o in s.execute(_OVERRIDES, key).scalars()}
        rows = {(d.kind, d.checkpoint): d for d in s.execute(_DEADLINES, key).scalars()}
        run = self._load_run(s, row) if with_run and self._load_run is not None else None
        return CaseRecord(row, evidence, overrides, rows, run=run,
                          load_escalations=lambda: s.execute(_ESCALATIONS, key).scalars())

    def run_of(self, record: CaseRecord):
        """The case's running workflow, read when the caller is ready for it."""
        return record.run if record.run is not None else self._load_run(self.session, record.row)

    def is_party(self, case_id: int, username: str) -> bool:
        return self.session.execute(select(CaseParty.id).where(
            CaseParty.case_id == case_id, CaseParty.username == username)).first() is not None

    def open_complaints(self, case_id: int) -> list[Case]:
        """Complaint cases about this case still open (oldest first)."""
        return list(self.session.execute(select(Case).where(Case.about_case_id == case_id, Case.status == "open")
                                         .order_by(Case.id)).scalars())

    def stage_entries_after(self, case_id: int, stage: str, after: datetime) -> list[StageEntry]:
        return list(self.session.execute(select(StageEntry).where(
            StageEntry.case_id == case_id, StageEntry.stage == stage, StageEntry.entered_at > after)
            .order_by(StageEntry.id)).scalars())

    def flagged_refs(self, case_id: int, checkpoint: str) -> set[str]:
        return set(self.session.execute(select(AdmissibilityFlag.task_id).where(
            AdmissibilityFlag.case_id == case_id, AdmissibilityFlag.checkpoint == checkpoint)).scalars())


class SqlUnitOfWork:
    """One transaction over the case repository; see the module's docstring.

    ``SqlUnitOfWork.within(session)`` joins a transaction a caller already holds: rows and audit
    entries are then written at once and the caller commits."""

    def __init__(self, sessions=None, *, anchor: str | None = None, load_run: Callable | None = None,
                 session: Session | None = None):
        self._sessions, self._anchor, self._load_run = sessions, anchor, load_run
        self._joined = session is not None
        self.session: Session | None = session
        self.cases: SqlCaseRepository | None = SqlCaseRepository(session, load_run) if session else None
        self._entries: list[dict] = []
        self.committed = False

    @classmethod
    def within(cls, session: Session, load_run: Callable | None = None) -> "SqlUnitOfWork":
        return cls(session=session, load_run=load_run)

    def __enter__(self) -> "SqlUnitOfWork":
        if not self._joined:
            self.session = self._sessions()
            self.cases = SqlCaseRepository(self.session, self._load_run)
        return self

    def __exit__(self, kind, error, tb) -> None:
        if self._joined:
            return
        try:
            if not self.committed:
                self.session.rollback()
        finally:
            self.session.close()

    def add(self, row) -> None:
        """A new row, written with the others at the next flush (at commit, unless a rare read
        of the step -- interrogations after a breach -- needs it written first)."""
        self.session.add(row)

    def add_all(self, rows) -> None:
        for row in rows:
            self.add(row)

    def audit(self, **entry) -> None:
        """Queue an audit entry (``audit.append``'s keywords), appended at commit after the rows."""
        if self._joined:
            audit.append(self.session, **entry)
        else:
            self._entries.append(entry)

    def flush(self) -> None:
        """Write what is queued (rows, then audit entries) without committing: the case's new
        version is known afterwards.  A stale version fails here."""
        for entry in self._entries:
            audit.append(self.session, **entry)
        self._entries = []
        self.session.flush()

    def commit(self) -> None:
        self.flush()
        if self._joined:
            return
        self.session.commit()
        self.committed = True
        head = audit.committed_head(self.session)
        if head is not None and self._anchor:
            audit_anchor.record(self._anchor, *head)

    def rollback(self) -> None:
        self._entries = []
        if not self._joined:
            self.session.rollback()
