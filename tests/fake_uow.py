"""A unit of work and case repository in memory (*Architecture Patterns with Python*, ch. 6), so the
step's services run without a database: the same ``complete_task`` and ``release`` code, cases
held as ``CaseRecord``s, rows and audit entries kept in lists once committed."""
from datetime import datetime
from itertools import count
from pathlib import Path

from engine.domain import acts, roles
from engine.domain.clock import FixedClock
from engine.domain.errors import NotFound
from engine.domain.params import Params
from engine.persistence.models import Case, Evidence, StageEntry
from engine.persistence.unit_of_work import CaseRecord
from engine.services.context import Actor, Habeas
from engine.workflow.adapter import CaseRun, ProcessModel

PROCESSES = Path(__file__).resolve().parents[1] / "processes"
_MODELS: dict[str, ProcessModel] = {}


def criminal_case() -> ProcessModel:
    """The library's criminal case, parsed once per test run."""
    if "criminal_case" not in _MODELS:
        _MODELS["criminal_case"] = ProcessModel.from_bpmn((PROCESSES / "criminal_case.bpmn").read_bytes(),
                                                          "criminal_case")
    return _MODELS["criminal_case"]


class FakeCaseRepository:
    def __init__(self):
        self.records: dict[int, CaseRecord] = {}
        self.parties: dict[int, set[str]] = {}
        self.complaints: dict[int, list[Case]] = {}
        self.stage_entries: list[StageEntry] = []
        self.flags: list = []
        self.reads = 0
        self.seen: set[int] = set()   # cases read in the current unit of work

    def get(self, case_id: int, *, with_run: bool = True) -> CaseRecord:
        self.reads += 1
        self.seen.add(case_id)
        if case_id not in self.records:
            raise NotFound(f"no case {case_id}")
        return self.records[case_id]

    def row(self, case_id: int) -> Case:
        return self.get(case_id).row

    def run_of(self, record: CaseRecord):
        return record.run

    def is_party(self, case_id: int, username: str) -> bool:
        return username in self.parties.get(case_id, set())

    def open_complaints(self, case_id: int) -> list[Case]:
        return list(self.complaints.get(case_id, ()))

    def stage_entries_after(self, case_id: int, stage: str, after: datetime) -> list[StageEntry]:
        return [e for e in self.stage_entries if e.case_id == case_id and e.stage == stage and e.entered_at > after]

    def flagged_refs(self, case_id: int, checkpoint: str) -> set[str]:
        return {f.task_id for f in self.flags if f.case_id == case_id and f.checkpoint == checkpoint}


class FakeUnitOfWork:
    """Rows and audit entries are kept only on ``commit``; leaving the block without it keeps
    nothing.  A commit moves each case read in the unit on by one version, as the database does
    for a case the act changed.  The case's own objects are changed in place and not restored on
    a rollback: a refused step refuses before changing them, which is what the tests rely on."""

    session = None

    def __init__(self, cases: FakeCaseRepository):
        self.cases = cases
        self.rows: list = []          # committed rows, in order
        self.entries: list[dict] = []  # committed audit entries, in order
        self.commits = 0
        self._ids = count(1)
        self._pending: list = []
        self._audit: list[dict] = []

    def __enter__(self):
        self._pending, self._audit = [], []
        self.cases.seen = set()
        return self

    def __exit__(self, *exc):
        self._pending, self._audit = [], []

    def add(self, row) -> None:
        self._pending.append(row)

    def add_all(self, rows) -> None:
        for row in rows:
            self.add(row)

    def audit(self, **entry) -> None:
        self._audit.append(entry)

    def flush(self) -> None:
        pass

    def commit(self) -> None:
        touched = set(self.cases.seen)
        for row in self._pending:
            if getattr(row, "id", None) is None:
                row.id = next(self._ids)
            if isinstance(row, StageEntry):
                self.cases.stage_entries.append(row)
            if type(row).__name__ == "AdmissibilityFlag":
                self.cases.flags.append(row)
            if isinstance(row, Evidence) and row.case_id in self.cases.records:
                self.cases.records[row.case_id].evidence.append(row)
        for case_id in touched:
            record = self.cases.records.get(case_id)
            if record is not None:
                record.row.lock_version += 1
        self.rows += self._pending
        self.entries += self._audit
        self._pending, self._audit = [], []
        self.commits += 1

    def rollback(self) -> None:
        self._pending, self._audit = [], []

    def of(self, kind) -> list:
        return [r for r in self.rows if isinstance(r, kind)]


def fake_habeas(now: datetime) -> tuple[Habeas, FakeUnitOfWork]:
    """An engine object whose step services use the fake unit of work (no database at all)."""
    uow = FakeUnitOfWork(FakeCaseRepository())
    return Habeas(sessions=None, clock=FixedClock(now), params=Params(), anchor=None, units=lambda: uow), uow


def open_case(uow: FakeUnitOfWork, data: dict, now: datetime, *, case_id: int = 1,
              prosecutor: str = "prosecutor") -> CaseRecord:
    """A case as ``cases.open_case`` leaves it, held by the fake repository."""
    run = CaseRun.start(criminal_case(), data)
    run.anchor_timers(now)
    row = Case(id=case_id, number=f"HB-{now:%Y}-{case_id:06d}", process_version_id=1, stage=None, status="open",
               unit="", prosecutor=prosecutor, facts=dict(data), procedure=acts.derive(data).to_dict(),
               workflow_state="", opened_at=now, opened_by="investigator", updated_at=now, training=False,
               non_compliant=False, lock_version=1)
    record = CaseRecord(row, run=run)
    uow.cases.records[case_id] = record
    return record


ACTORS = {role: Actor(role, role) for role in (roles.INVESTIGATOR, roles.PROSECUTOR, roles.SUPERVISING_PROSECUTOR,
                                               roles.JUDGE, roles.DEFENCE, roles.REVIEWER)}
