"""What every service needs: sessions, the clock, the parameters, the cache of deployed models."""
import os
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import Lock
from time import monotonic
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from ..domain.clock import SystemClock
from ..domain.params import Params
from ..persistence import anchor as audit_anchor
from ..persistence.audit import committed_head
from ..persistence.models import ProcessVersion
from ..persistence.unit_of_work import SqlUnitOfWork
from ..workflow.adapter import CaseRun, ProcessModel


@dataclass(frozen=True)
class Actor:
    """Who acts: every act in Habeas is done by someone with a role."""

    username: str
    role: str
    # a trainee acting in a lane of a practice case (engine.services.training); such an actor
    # may act on training cases only, and nobody else may act on them
    training: bool = False


class ModelCache:
    """Deployed versions are immutable, so a parsed model can be kept for the process's life."""

    def __init__(self):
        self._models: dict[int, ProcessModel] = {}
        self._lock = Lock()

    def get(self, session: Session, version_id: int) -> ProcessModel:
        model = self._models.get(version_id)
        if model is None:
            row = session.get(ProcessVersion, version_id)
            model = ProcessModel.from_json(row.spec_json)
            with self._lock:
                self._models[version_id] = model
        return model

    def put(self, version_id: int, model: ProcessModel) -> None:
        with self._lock:
            self._models[version_id] = model


class RunCache:
    """Each worker keeps the workflow it just saved, keyed by case and version, so the next step
    on that case skips deserializing it.  A run is taken out while it is used (never shared
    between threads); a version mismatch (another worker moved the case) is simply a miss.
    Small on purpose, so a worker's memory does not grow with the cases it has seen: the 32 most
    recent cases by default (``HABEAS_RUN_CACHE``)."""

    def __init__(self, size: int | None = None):
        size = size if size is not None else int(os.environ.get("HABEAS_RUN_CACHE", "32"))
        self._runs: OrderedDict[int, tuple[int, object]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def take(self, case_id: int, version: int):
        with self._lock:
            entry = self._runs.pop(case_id, None)
        return entry[1] if entry is not None and entry[0] == version else None

    def put(self, case_id: int, version: int, run) -> None:
        with self._lock:
            self._runs[case_id] = (version, run)
            self._runs.move_to_end(case_id)
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)


class TokenCache:
    """API token lookups remembered briefly, so a script's burst of calls does not read the token
    and its user from the database on every request.

    Only a token found valid is remembered, with its user and expiry, for ``HABEAS_TOKEN_CACHE_SECONDS``
    (5 s by default; 0 turns the cache off), never past the token's own expiry.  Revoking a user's
    tokens, deactivating them or changing their role forgets their entries in this process at
    once (one cache per process, shared by its engine objects); another process -- a worker of a
    multi-process server, or the server when the CLI revoked -- learns of it when its entry ages
    out.  So the bound is: a revoked token keeps working at most ``HABEAS_TOKEN_CACHE_SECONDS`` in
    other processes, and not at all in the process that revoked it."""

    def __init__(self, seconds: float | None = None, size: int = 1024):
        self.seconds = seconds if seconds is not None else float(os.environ.get("HABEAS_TOKEN_CACHE_SECONDS", "5"))
        self._entries: OrderedDict[str, tuple[float, Actor, object]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, digest: str, now):
        """The actor for a token's digest, if remembered, still fresh and not expired at ``now``."""
        if self.seconds <= 0:
            return None
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            kept_at, actor, expires_at = entry
            if monotonic() - kept_at > self.seconds or (expires_at is not None and expires_at <= now):
                del self._entries[digest]
                return None
            return actor

    def put(self, digest: str, actor: Actor, expires_at) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._entries[digest] = (monotonic(), actor, expires_at)
            self._entries.move_to_end(digest)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget(self, username: str) -> None:
        with self._lock:
            for digest in [d for d, (_, actor, _) in self._entries.items() if actor.username == username]:
                del self._entries[digest]


TOKENS = TokenCache()  # the process's


@dataclass
class Habeas:
    """The engine object: built once per process (CLI run, web app) and handed to services."""

    sessions: sessionmaker
    clock: object = field(default_factory=SystemClock)
    params: Params = field(default_factory=Params.from_env)
    models: ModelCache = field(default_factory=ModelCache)
    runs: RunCache = field(default_factory=RunCache)
    tokens: TokenCache = field(default_factory=lambda: TOKENS)
    # where the audit chain's head is written after each commit (None: not anchored); the CLI
    # and the web app default to HABEAS_AUDIT_ANCHOR or the database's own file under instance/
    anchor: str | None = field(default_factory=lambda: os.environ.get("HABEAS_AUDIT_ANCHOR"))
    # seconds the reviewers' page may lag behind the latest act (engine.services.snapshots)
    report_staleness: float = field(default_factory=lambda: float(os.environ.get("HABEAS_REPORT_STALENESS") or 60))
    # makes the unit of work of a step (``unit``); None: the database's.  Tests give a fake one.
    units: Callable | None = None

    def unit(self):
        """A unit of work with the case repository (``engine.persistence.unit_of_work``)."""
        if self.units is not None:
            return self.units()
        return SqlUnitOfWork(self.sessions, anchor=self.anchor, load_run=self.run_of)

    def run_of(self, session: Session, case) -> CaseRun:
        """The case's workflow: the one this worker saved last, or loaded from the database."""
        run = self.runs.take(case.id, case.lock_version)
        return run or CaseRun.load(self.models.get(session, case.process_version_id), case.workflow_state)

    @contextmanager
    def unit_of_work(self):
        """One transaction: committed if the block ends normally, rolled back otherwise.  A
        transaction that appended to the audit trail leaves its new head in the anchor file."""
        session: Session = self.sessions()
        try:
            yield session
            session.commit()
            head = committed_head(session)
            if head is not None and self.anchor:
                audit_anchor.record(self.anchor, *head)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def now(self):
        return self.clock.now()
