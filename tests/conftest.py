"""Shared fixtures.  Every database test runs on SQLite and on PostgreSQL (when
HABEAS_TEST_DATABASE_URL names a server; otherwise the PostgreSQL variant is skipped, saying why)."""
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.domain.clock import FixedClock
from engine.domain.params import Params
from engine.persistence.database import make_engine, normalise_url, session_factory
from engine.persistence.migrate import upgrade
from engine.persistence.models import Base
from engine.services.context import Actor, Habeas

# The audit chain's key for every test (never the one under instance/).
os.environ.setdefault("HABEAS_AUDIT_KEY", "habeas-test-audit-key-0123456789")
# tests read the reviewers' figures as they stand after each act (no snapshot served)
os.environ.setdefault("HABEAS_REPORT_STALENESS", "0")

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
PG_URL = os.environ.get("HABEAS_TEST_DATABASE_URL")
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
# One schema per test run, so that runs side by side on one server never collide.
PG_SCHEMA = f"habeas_test_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2 at production cost takes about half a second a hash; tests hash many passwords."""
    from argon2 import PasswordHasher
    from engine.services import users
    saved = users._HASHER
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    users._HASHER = saved


@pytest.fixture(autouse=True)
def audit_anchor_per_test(tmp_path, monkeypatch):
    """Each test anchors its audit chain in its own file (databases are reused between tests)."""
    path = tmp_path / "audit-anchor.jsonl"
    monkeypatch.setenv("HABEAS_AUDIT_ANCHOR", str(path))
    return path


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'habeas.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine():
    if not PG_URL:
        pytest.skip("PostgreSQL variant skipped: HABEAS_TEST_DATABASE_URL is not set")
    admin = make_engine(normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine = make_engine(normalise_url(PG_URL), connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_engine(request):
    engine = request.getfixturevalue(f"{request.param}_engine")
    _empty(engine)
    return engine


def _empty(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def habeas(db_engine, clock):
    return Habeas(sessions=session_factory(db_engine), clock=clock, params=Params())


ROLES = ("investigator", "prosecutor", "supervising_prosecutor", "judge", "defence", "designer", "reviewer", "admin",
         "trainee", "trainer")
PASSWORD = "correct horse battery"


def all_actors() -> dict[str, Actor]:
    """One user per role; the supervising prosecutor is called 'supervisor'."""
    return {role: Actor(role if role != "supervising_prosecutor" else "supervisor", role) for role in ROLES}


def seed(habeas) -> None:
    """Users for every role (password PASSWORD) and the process library deployed."""
    from engine.services import processes, users
    admin = Actor("root", "admin")
    actors = all_actors()
    for role, actor in actors.items():
        users.add_user(habeas, admin, actor.username, role, password=PASSWORD)
    for path in sorted(PROCESSES.glob("*.bpmn")):
        processes.deploy(habeas, actors["designer"], path.read_bytes())


@pytest.fixture
def actors():
    return all_actors()


@pytest.fixture
def seeded(habeas):
    seed(habeas)
    return habeas
