"""Bulk-create cases with realistic histories, fast: for benchmarks, load tests and demos at scale.

``create_cases(engine, n)`` writes ``n`` criminal cases spread over every stage of the happy path
(from just opened to closed), each with its stage history, the checkpoint evaluations of every
stage it entered (every status occurs: passed, failed, waived, overridden, pending, some of them
overdue), the evidence of the rights shown respected and its legal clocks (open, met, breached).

Each case's workflow state is a real one: the happy path is run once in memory with SpiffWorkflow
for every depth, and a case at that depth gets that state, so it can be shown and advanced like
any other.  Rows go in with SQLAlchemy Core ``executemany`` in batches (on PostgreSQL through
``COPY``), one transaction per batch: 100,000 cases take a few minutes.

Nothing here is audited and no service is called: it is a generator of test data, run by an
operator or a benchmark against a database of its own.
"""
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from ..domain.facts import CaseFacts
from ..domain.params import Params
from ..domain.rights import Status
from ..domain.stages import is_entry
from ..persistence.models import Case, CheckpointEvaluation, Deadline, Evidence, ProcessVersion, StageEntry
from ..workflow.adapter import CaseRun, ProcessModel
from .cases import task_fields
from .checks import assess, entry_checkpoints
from .demo import registration, sample_value

PROCESS_ID = "criminal_case"
STATUSES = ("passed", "failed", "waived", "overridden", "pending")
# How often each status is drawn for an evaluation (pending ones are overdue a third of the time).
STATUS_WEIGHTS = (70, 8, 6, 4, 12)
# Rights with a legal clock: their latest evaluation keeps a deadline row per case.
CLOCKED = ("family_consular_notice", "detention_judicial_review", "custody_term_review", "medical_examination",
           "counsel_before_interrogation")
# Every open case runs the reasonable-time clock of its investigation; it is the one made due.
CASE_CLOCK = "reasonable_time"
UNITS = ("Almaty City Prosecutor's Office", "Astana City Prosecutor's Office", "Shymkent City Prosecutor's Office",
         "Karaganda Regional Prosecutor's Office")
PROSECUTOR = "prosecutor"


def happy_path(now: datetime) -> list[tuple[str, dict]]:
    """The tasks of a detained suspect's case from the report to the closed case, with the values
    a test or benchmark gives (the rest of each form is filled as the demo driver does)."""
    h = lambda n: (now - timedelta(hours=n)).isoformat()  # noqa: E731
    return [
        ("register_report", {}),
        ("open_investigation", {"next_step": "detain"}),
        ("apprehend_suspect", {"apprehended_at": h(5)}),
        ("notify_family_consulate", {"family_member": "mother", "method": "telephone",
                                     "family_notified_at": h(4), "consulate_notified_at": h(4)}),
        ("draft_suspicion_decision", {}),
        ("approve_suspicion", {"approved": True}),
        ("serve_suspicion_notice", {"signed": True}),
        ("interrogate_suspect", {"another_interrogation": False}),
        ("decide_custody", {"hearing_at": h(0), "outcome": "custody", "ordered_at": h(0),
                            "expires_at": (now + timedelta(days=60)).isoformat()}),
        ("notify_end_of_investigation", {}),
        ("open_file_to_defence", {}),
        ("review_file", {"indictment_decision": "send_to_court"}),
        ("prelim_hearing", {"hearing_decision": "set_trial"}),
        ("conduct_trial", {"trial_form": "bench"}),
        ("pronounce_verdict", {"verdict": "convicted", "verdict_pronounced_at": h(0)}),
        ("serve_verdict", {"appeal_lodged": False, "rights_explained": True}),
        ("close_case", {}),
    ]


def fill_forms(model: ProcessModel, opening: dict, now: datetime) -> list[tuple[str, str | None, dict]]:
    """Each happy-path task's complete form data: given values, else what the case knows, else a sample."""
    known, out = dict(opening), []
    for name, given in happy_path(now):
        definition = model.tasks[name]
        known.update(given)
        data = {f.name: known[f.name] if f.name in known else sample_value(f, now)
                for f in task_fields(definition) if f.required or f.name in known}
        known.update(data)
        out.append((name, definition.lane, data))
    return out


@dataclass(frozen=True)
class Entry:
    stage: str
    task: str
    actor: str
    checkpoints: tuple[str, ...]  # those applicable to the case when it entered the stage


@dataclass(frozen=True)
class Template:
    """A case that went ``depth`` tasks down the happy path: its state, facts and entries."""

    depth: int
    workflow_state: str
    facts: dict
    stage: str | None
    closed: bool
    entries: tuple[Entry, ...]


def templates(model: ProcessModel, now: datetime) -> list[Template]:
    """Run the happy path once in memory; snapshot the case after every task."""
    opening = registration(now)
    forms = fill_forms(model, opening, now)
    run = CaseRun.start(model, opening)
    facts, stage, entries = dict(opening), None, []
    out = [Template(0, run.dump(), dict(facts), None, False, ())]
    for depth, (name, lane, data) in enumerate(forms, start=1):
        definition = model.tasks[name]
        task_id = next(t.id for t in run.ready_tasks() if t.definition.name == name)
        facts.update(data)
        if definition.stage and is_entry(stage, definition.stage):
            stage = definition.stage
            found = assess(entry_checkpoints(stage, definition.checkpoints), CaseFacts.from_data(facts), {}, now,
                           Params(), stage)
            applicable = tuple(a.checkpoint.id for a in found if a.evaluation.status is not Status.NOT_APPLICABLE)
            entries.append(Entry(stage, definition.title, lane or "investigator", applicable))
        run.complete(task_id, data)
        closed = run.completed
        out.append(Template(depth, run.dump(), dict(facts), "closed" if closed else stage, closed, tuple(entries)))
    return out


@dataclass
class Counts:
    cases: int = 0
    stage_history: int = 0
    checkpoint_evaluations: int = 0
    evidence: int = 0
    deadlines: int = 0
    due_deadlines: int = 0
    statuses: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"cases": self.cases, "stage_history": self.stage_history,
                "checkpoint_evaluations": self.checkpoint_evaluations, "evidence": self.evidence,
                "deadlines": self.deadlines, "due_deadlines": self.due_deadlines, "statuses": dict(self.statuses)}


def create_cases(engine: Engine, n: int, *, seed: int = 1, now: datetime | None = None, due: int = 0,
                 open_share: float = 0.8, batch: int = 2000, process_id: str = PROCESS_ID) -> Counts:
    """Write ``n`` cases (``open_share`` of them open) on the newest deployed version of
    ``process_id``.  Exactly ``due`` open cases get a legal clock due before ``now`` (what a tick
    has to act on); every other open clock is due later.  Returns the row counts."""
    now = now or datetime.now(timezone.utc)
    rng = random.Random(seed)
    with engine.connect() as conn:
        version_id = conn.execute(select(ProcessVersion.id, ProcessVersion.spec_json)
                                  .where(ProcessVersion.process_id == process_id)
                                  .order_by(ProcessVersion.version.desc()).limit(1)).first()
        if version_id is None:
            raise LookupError(f"no deployed process '{process_id}': deploy it first")
        version_id, spec_json = version_id
        first_id = (conn.execute(select(func.max(Case.id))).scalar() or 0) + 1
    model = ProcessModel.from_json(spec_json)
    snapshots = templates(model, now)
    open_depths = [t for t in snapshots if not t.closed]
    closed = [t for t in snapshots if t.closed]
    n_open = round(n * open_share) if n > 1 else n
    if due > n_open:
        raise ValueError(f"{due} due clocks need at least as many open cases (have {n_open})")
    due_ids = set(rng.sample(range(first_id, first_id + n_open), due)) if due else set()
    counts = Counts(statuses=dict.fromkeys(STATUSES, 0))
    writer = _Writer(engine)
    for start in range(0, n, batch):
        rows = _Rows()
        for i in range(start, min(n, start + batch)):
            case_id = first_id + i
            template = rng.choice(open_depths) if i < n_open else closed[0]
            _case(rows, rng, case_id, template, version_id, now, case_id in due_ids, counts)
        writer.write(rows)
        counts.checkpoint_evaluations += len(rows.evaluations)
        counts.evidence += len(rows.evidence)
        counts.deadlines += len(rows.deadlines)
    writer.finish()
    counts.due_deadlines = len(due_ids)
    return counts


class _Rows:
    def __init__(self):
        self.cases, self.stages, self.evaluations, self.evidence, self.deadlines = [], [], [], [], []


def _case(rows: _Rows, rng: random.Random, case_id: int, template: Template, version_id: int, now: datetime,
          make_due: bool, counts: Counts) -> None:
    age = timedelta(days=rng.uniform(2, 700)) if template.entries else timedelta(hours=rng.uniform(1, 48))
    opened = now - age
    unit = rng.choice(UNITS)
    # the stages were entered at increasing times between opening and now
    steps = sorted(rng.uniform(0, 1) for _ in template.entries)
    times = [opened + age * s for s in steps]
    updated = times[-1] if times else opened
    rows.cases.append({
        "id": case_id, "number": f"HB-{opened:%Y}-{case_id:06d}", "process_version_id": version_id,
        "stage": template.stage, "status": "closed" if template.closed else "open", "unit": unit,
        "prosecutor": PROSECUTOR, "facts": template.facts, "workflow_state": template.workflow_state,
        "non_compliant": False, "opened_at": opened, "opened_by": "investigator", "updated_at": updated,
        "lock_version": 1 + template.depth})
    latest: dict[str, tuple[str, datetime, datetime | None]] = {}
    for entry, at in zip(template.entries, times):
        rows.stages.append({"case_id": case_id, "stage": entry.stage, "entered_at": at, "task": entry.task,
                            "actor": entry.actor})
        for checkpoint in entry.checkpoints:
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            if template.closed and status == "pending":
                status = "passed"
            clock_started = at - timedelta(hours=rng.uniform(1, 72))
            due_at = None
            if status == "pending":  # a third of the pending ones are overdue by now
                due_at = now - timedelta(hours=rng.uniform(1, 200)) if rng.random() < 1 / 3 else \
                    now + timedelta(hours=rng.uniform(1, 400))
            elif checkpoint in CLOCKED:
                due_at = clock_started + timedelta(hours=48)
            satisfied = at if status in ("passed", "waived", "overridden") else None
            rows.evaluations.append({
                "case_id": case_id, "checkpoint": checkpoint, "stage": entry.stage, "status": status,
                "evaluated_at": at, "clock_started_at": clock_started, "due_at": due_at, "satisfied_at": satisfied,
                "task": entry.task, "actor": entry.actor, "unit": unit, "prosecutor": PROSECUTOR,
                "detail": {"reasons": [] if satisfied else [f"{checkpoint}: not shown respected"],
                           "missing": []}})
            counts.statuses[status] += 1
            if status == "passed":
                rows.evidence.append({
                    "case_id": case_id, "checkpoint": checkpoint, "data": {"note": "recorded in bulk"},
                    "occurred_at": at - timedelta(minutes=30), "recorded_at": at, "recorded_by": entry.actor,
                    "task": entry.task})
            latest[checkpoint] = (status, clock_started, due_at)
    for checkpoint, (status, started, due_at) in latest.items():
        if checkpoint not in CLOCKED or due_at is None:
            continue
        if status == "pending":
            # an overdue pending clock was already acted on by an earlier tick
            state = "breached" if due_at <= now else "open"
        else:
            state = {"failed": "breached"}.get(status, "met")
        rows.deadlines.append(_deadline(case_id, checkpoint, started, due_at, state, updated))
    if not template.closed:
        due_at = now - timedelta(minutes=rng.uniform(1, 600)) if make_due else now + timedelta(days=rng.uniform(1, 90))
        rows.deadlines.append(_deadline(case_id, CASE_CLOCK, opened, due_at, "open", updated))
    counts.cases += 1
    counts.stage_history += len(template.entries)


def _deadline(case_id, checkpoint, starts_at, due_at, status, updated) -> dict:
    row = {"case_id": case_id, "checkpoint": checkpoint, "kind": "checkpoint", "starts_at": starts_at,
           "due_at": due_at, "status": status, "updated_at": updated}
    if "next_action_at" in Deadline.__table__.c:  # the scheduler's bookkeeping, where it exists
        row["next_action_at"] = due_at if status == "open" else None
    return row


class _Writer:
    """Inserts batches, each in one transaction: Core ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    TABLES = (("cases", Case), ("stages", StageEntry), ("evaluations", CheckpointEvaluation),
              ("evidence", Evidence), ("deadlines", Deadline))

    def __init__(self, engine: Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def write(self, rows: _Rows) -> None:
        with self.engine.begin() as conn:
            for name, model in self.TABLES:
                batch = getattr(rows, name)
                if not batch:
                    continue
                if self.postgres:
                    _copy(conn, model.__table__, batch)
                else:
                    conn.execute(insert(model), batch)

    def finish(self) -> None:
        """PostgreSQL: move the id sequences past the ids given explicitly; refresh statistics."""
        with self.engine.begin() as conn:
            if self.postgres:
                for _, model in self.TABLES:
                    name = model.__tablename__
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"GREATEST((SELECT max(id) FROM {name}), 1))"))
            for _, model in self.TABLES:
                conn.execute(text(f"ANALYZE {model.__tablename__}"))


def _copy(conn, table, batch: list[dict]) -> None:
    """``COPY table (columns) FROM STDIN`` through psycopg 3, values bound as Python types."""
    from psycopg.types.json import Json

    columns = list(batch[0])
    json_columns = {c.name for c in table.c if c.type.__class__.__name__ == "JSON"}
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row([Json(row[c]) if c in json_columns else row[c] for c in columns])


def summary(engine: Engine) -> dict:
    """What the database holds: rows per table and evaluations per status."""
    with engine.connect() as conn:
        out = {name: conn.execute(select(func.count()).select_from(model)).scalar()
               for name, model in (("cases", Case), ("stage_history", StageEntry),
                                   ("checkpoint_evaluations", CheckpointEvaluation), ("evidence", Evidence),
                                   ("deadlines", Deadline))}
        out["statuses"] = dict(conn.execute(select(CheckpointEvaluation.status, func.count())
                                            .group_by(CheckpointEvaluation.status)).all())
    return out


def to_json(counts: Counts) -> str:
    return json.dumps(counts.to_dict())
